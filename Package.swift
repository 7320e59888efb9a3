// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "CampaignOps",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cops", targets: ["cops"]),
        .library(name: "AltcraftWire", targets: ["AltcraftWire"]),
        .library(name: "AltcraftAPI", targets: ["AltcraftAPI"]),
        .library(name: "AltcraftSandbox", targets: ["AltcraftSandbox"]),
        .library(name: "AltcraftSandboxServer", targets: ["AltcraftSandboxServer"]),
        .library(name: "CampaignScript", targets: ["CampaignScript"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // SHA-256 for run journals; already built for the TLS stack's certificates (swift-certificates).
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        // The JSON string escaper that the wire and the result formats share; depends on nothing.
        .target(name: "JSONText"),
        // What travels between the client and the API (values, JSON and XML, endpoints, formats):
        // shared by the client and the sandbox; of ours it needs only JSONText.
        .target(name: "AltcraftWire", dependencies: ["JSONText"]),
        // The client core: the API over HTTP(S).
        .target(
            name: "AltcraftAPI",
            dependencies: [
                "AltcraftWire",
                "CSocketPoller",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // epoll and eventfd for the client's socket poller (Swift's Glibc module lacks them;
        // see Sources/CSocketPoller/include/socket_poller.h).
        .target(name: "CSocketPoller"),
        // The simulated API: a pure engine, no networking; the client reaches it in process
        // (CopsShell's InProcessTransport) or through AltcraftSandboxServer. Its saved state is
        // an SQLite database, through GRDB over the system's libsqlite3 (docs/performance.md);
        // the statements every call runs go straight to SQLite's C API (GRDBSQLite).
        .target(
            name: "AltcraftSandbox",
            dependencies: [
                "AltcraftWire", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]),
        // The sandbox over HTTP(S) and HTTP/2, with fault injection.
        .target(
            name: "AltcraftSandboxServer",
            dependencies: [
                "AltcraftSandbox",
                "AltcraftWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // libedit, wrapped in non-variadic C functions and loaded with dlopen when the prompt
        // opens (see Sources/CEditLine/include/shim.h); libedit-dev gives histedit.h.
        .target(name: "CEditLine", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // The prompt's line reading and history; knows nothing of campaigns.
        .target(name: "LineEditor", dependencies: ["CEditLine"]),
        // The language: talks to the world through one protocol; depends on nothing else of
        // ours but the leaf JSONText.
        .target(name: "CampaignScript", dependencies: ["JSONText"]),
        .target(
            name: "CopsShell",
            dependencies: [
                "AltcraftAPI",
                "AltcraftWire",
                "CampaignScript",
                "AltcraftSandbox",
                "AltcraftSandboxServer",
                "LineEditor",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // `cops lsp`: the language server for editors, over the language, the prompt's
        // completion and the wire's JSON codec; it never talks to a panel.
        .target(name: "CopsLSP", dependencies: ["CampaignScript", "CopsShell", "AltcraftWire", "LineEditor"]),
        // The command line as ArgumentParser declares it (help, completion, usage errors).
        .target(
            name: "CopsCommandLine",
            dependencies: [
                "CopsShell",
                "CopsLSP",
                "AltcraftAPI",
                "CampaignScript",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "cops",
            dependencies: ["CopsCommandLine"],
            // Swift links executables with every symbol exported (36 000 here), and the
            // runtime's start-up `dladdr` scans them all: ≈ 1 ms of every run
            // (docs/performance.md). Nothing loads cops as a library, so export nothing.
            // linker/static holds linker scripts that name libstdc++'s and libsqlite3's
            // archives: found first, they link both into cops instead of being loaded and
            // relocated at every start (docs/performance.md, "Tenth round"). lld packs the
            // 140 000 relative relocations as DT_RELR (27 KB instead of gold's 3.4 MB of
            // RELA entries), which the loader reads and applies at every start (docs/
            // performance.md, "Eleventh round").
            linkerSettings: [
                .unsafeFlags([
                    "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                    "-Xlinker", "--no-export-dynamic", "-L", Context.packageDirectory + "/linker/static",
                ])
            ]
        ),
        // What tests of the https path share: a throwaway PKI made with openssl, a loopback
        // CONNECT proxy, a TLS sandbox server. Only test targets depend on it.
        .target(
            name: "CopsTestSupport", dependencies: ["AltcraftSandbox", "AltcraftSandboxServer"], path: "Tests/CopsTestSupport"),
        .testTarget(name: "AltcraftWireTests", dependencies: ["AltcraftWire"]),
        .testTarget(
            name: "AltcraftAPITests",
            dependencies: [
                "AltcraftAPI", "AltcraftWire", "AltcraftSandbox", "AltcraftSandboxServer", "CopsTestSupport",
                // A scripted TLS server, for answers the sandbox never gives (ScriptedTLSServer).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "AltcraftSandboxTests",
            dependencies: ["AltcraftSandbox", "AltcraftSandboxServer", "AltcraftWire", "CopsTestSupport"],
            // A `sandbox.json` written by the last version before the database (read by path).
            exclude: ["Fixtures"]),
        .testTarget(
            name: "CopsShellTests",
            dependencies: ["CopsShell", "CampaignScript", "AltcraftAPI", "AltcraftSandbox", "AltcraftWire", "CopsTestSupport"]),
        .testTarget(
            name: "CopsCommandLineTests",
            dependencies: [
                "CopsCommandLine", "CopsShell", "CampaignScript",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "LineEditorTests", dependencies: ["LineEditor"]),
        .testTarget(name: "CopsLSPTests", dependencies: ["CopsLSP", "CampaignScript", "AltcraftWire", "CopsTestSupport"]),
        .testTarget(
            name: "InterpreterTests",
            dependencies: ["CampaignScript", "CopsShell", "AltcraftAPI", "AltcraftSandbox", "AltcraftWire", "CopsTestSupport"]),
        .testTarget(
            name: "EndToEndTests", dependencies: ["CampaignScript", "AltcraftSandboxServer", "CopsTestSupport"]),
        .testTarget(name: "JSONTextTests", dependencies: ["JSONText", "AltcraftWire", "CampaignScript"]),
        .testTarget(
            name: "CampaignScriptTests", dependencies: ["CampaignScript", "CopsTestSupport"], exclude: ["Golden"]),
    ]
)
