import Foundation
import Synchronization

/// A throwaway PKI made with the `openssl` command in a temporary directory when a test
/// first asks for it (`TestPKI.shared()`), once per test process; nothing of it is
/// committed. Keys are P-256 (fast to make), key files mode 0600, certificates valid for two
/// days, except the expired one.
public struct TestPKI: Sendable {
    /// A certificate and its private key, as PEM files.
    public struct Identity: Sendable {
        public let certificatePath: String
        public let keyPath: String
    }

    /// The directory holding every file.
    public let directory: String
    /// The CA every certificate below is signed by (unless said otherwise): what a client
    /// trusts (`--cacert`, `ca_file`, `SSL_CERT_FILE`).
    public let caCertificatePath: String
    /// The server certificate for `127.0.0.1` and `localhost` (subject alternative names).
    public let server: Identity
    /// The same names, signed by the CA, valid from 2020-01-01 to 2020-01-02 only.
    public let expiredServer: Identity
    /// Signed by the CA, for `wrong.example` only: a hostname mismatch on 127.0.0.1.
    public let wrongHostServer: Identity
    /// A second CA that signed nothing a client trusts: trusting only it is "wrong CA".
    public let otherCACertificatePath: String
    /// A server certificate for `127.0.0.1` and `localhost` signed by the other CA: an
    /// untrusted certificate for a client that trusts `caCertificatePath`.
    public let otherCAServer: Identity
    /// A client certificate (extended key usage clientAuth) signed by the CA, for mutual TLS.
    public let client: Identity

    private static let cache = Mutex<Result<TestPKI, TestSupportError>?>(nil)

    /// The PKI of this test process, made on first use.
    public static func shared() throws -> TestPKI {
        try cache.withLock { cached in
            if let cached { return try cached.get() }
            let directory = NSTemporaryDirectory() + "cops-test-pki-\(getpid())-\(UUID().uuidString.prefix(8))"
            let made = Result { () throws(TestSupportError) -> TestPKI in try TestPKI(directory: directory) }
            cached = made
            if case .success = made { TemporaryFiles.removeAtExit(directory) }
            return try made.get()
        }
    }

    /// Makes a fresh PKI in `directory` (created if missing).
    public init(directory: String) throws(TestSupportError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TestSupportError("cannot create \(directory): \(error.localizedDescription)")
        }
        let openssl = OpenSSLRunner(directory: directory)
        self.directory = directory
        caCertificatePath = try openssl.makeCA(named: "ca", commonName: "cops test CA")
        otherCACertificatePath = try openssl.makeCA(named: "other-ca", commonName: "cops unrelated test CA")
        let loopbackNames = "IP:127.0.0.1,DNS:localhost"
        server = try openssl.makeLeaf(named: "server", signedBy: "ca", commonName: "127.0.0.1", names: loopbackNames)
        expiredServer = try openssl.makeLeaf(
            named: "expired-server", signedBy: "ca", commonName: "127.0.0.1", names: loopbackNames,
            validity: .between("20200101000000Z", "20200102000000Z"))
        wrongHostServer = try openssl.makeLeaf(
            named: "wrong-host-server", signedBy: "ca", commonName: "wrong.example", names: "DNS:wrong.example")
        otherCAServer = try openssl.makeLeaf(
            named: "other-ca-server", signedBy: "other-ca", commonName: "127.0.0.1", names: loopbackNames)
        client = try openssl.makeLeaf(named: "client", signedBy: "ca", commonName: "cops test client", names: nil)
    }
}

/// The `openssl` commands that make the files of a `TestPKI`.
private struct OpenSSLRunner {
    enum Validity {
        case days(Int)
        /// `YYYYMMDDHHMMSSZ` bounds; only `openssl ca` sets both, hence its small database.
        case between(String, String)
    }

    let directory: String

    func path(_ name: String) -> String { directory + "/" + name }

    /// A self-signed CA: `NAME.pem` and `NAME.key`.
    func makeCA(named name: String, commonName: String) throws(TestSupportError) -> String {
        try run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("\(name).key"),
            "-out", path("\(name).pem"), "-days", "2", "-subj", "/CN=\(commonName)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        try privateKeyMode(path("\(name).key"))
        return path("\(name).pem")
    }

    /// A leaf certificate signed by the CA `issuer`: for a server when `names` (subject
    /// alternative names) are given, else for a client.
    func makeLeaf(
        named name: String, signedBy issuer: String, commonName: String, names: String?, validity: Validity = .days(2)
    ) throws(TestSupportError) -> TestPKI.Identity {
        let key = path("\(name).key")
        let request = path("\(name).csr")
        let certificate = path("\(name).pem")
        let extensions = path("\(name).ext")
        try run([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", request,
            "-subj", "/CN=\(commonName)",
        ])
        try privateKeyMode(key)
        var lines = ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature"]
        if let names {
            lines += ["subjectAltName=\(names)", "extendedKeyUsage=serverAuth"]
        } else {
            lines += ["extendedKeyUsage=clientAuth"]
        }
        try write(lines.joined(separator: "\n") + "\n", to: extensions)
        switch validity {
        case .days(let days):
            try run([
                "x509", "-req", "-in", request, "-CA", path("\(issuer).pem"), "-CAkey", path("\(issuer).key"),
                "-set_serial", String(UInt32.random(in: 1...UInt32.max)), "-days", String(days), "-sha256",
                "-extfile", extensions, "-out", certificate,
            ])
        case .between(let start, let end):
            let database = path("\(name)-ca-db")
            let configuration = path("\(name)-ca.cnf")
            do {
                try FileManager.default.createDirectory(atPath: database, withIntermediateDirectories: true)
            } catch {
                throw TestSupportError("cannot create \(database): \(error.localizedDescription)")
            }
            try write("", to: database + "/index.txt")
            try write("01\n", to: database + "/serial")
            try write(
                """
                [ca]
                default_ca = test_ca
                [test_ca]
                database = \(database)/index.txt
                new_certs_dir = \(database)
                serial = \(database)/serial
                default_md = sha256
                policy = any_name
                unique_subject = no
                [any_name]
                commonName = supplied

                """, to: configuration)
            try run([
                "ca", "-batch", "-config", configuration, "-cert", path("\(issuer).pem"), "-keyfile", path("\(issuer).key"),
                "-in", request, "-out", certificate, "-notext", "-startdate", start, "-enddate", end, "-extfile", extensions,
            ])
        }
        return TestPKI.Identity(certificatePath: certificate, keyPath: key)
    }

    private func privateKeyMode(_ path: String) throws(TestSupportError) {
        guard chmod(path, 0o600) == 0 else { throw TestSupportError("chmod 600 \(path) failed") }
    }

    private func write(_ text: String, to path: String) throws(TestSupportError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw TestSupportError("cannot write \(path)")
        }
    }

    /// Runs `openssl ARGUMENTS` in the directory; its stderr is the error when it fails.
    private func run(_ arguments: [String]) throws(TestSupportError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw TestSupportError("cannot run openssl (install Debian's openssl): \(error.localizedDescription)")
        }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSupportError(
                "openssl \(arguments.prefix(2).joined(separator: " ")) failed (\(process.terminationStatus)): "
                    + String(decoding: message, as: UTF8.self))
        }
    }
}

/// Directories a test process made and removes when it exits.
enum TemporaryFiles {
    private static let paths = Mutex<[String]>([])

    static func removeAtExit(_ path: String) {
        let first = paths.withLock { paths in
            defer { paths.append(path) }
            return paths.isEmpty
        }
        if first {
            atexit {
                for path in TemporaryFiles.paths.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
            }
        }
    }
}
