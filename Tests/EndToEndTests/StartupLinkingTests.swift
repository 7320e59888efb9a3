import Foundation
import XCTest

/// Every start of `cops` loads what the binary links: libedit (with libtinfo, libbsd, libmd)
/// is loaded only when the prompt opens, and the XML wire format has its own reader instead of
/// Foundation's libxml2 (with ICU, liblzma, libz) — docs/performance.md, "Fifth round". The
/// dynamic loader's own list (`ldd`) must not name them again.
final class StartupLinkingTests: XCTestCase {
    func testTheBinaryLoadsNeitherLibeditNorLibxml2AtStart() throws {
        try CopsProcess.requireBinary()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        process.arguments = [CopsProcess.binary.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        // ldd lists libc for any dynamically linked program: the list is real.
        XCTAssertTrue(text.contains("libc.so"), text)
        for library in ["libedit.so", "libxml2.so", "libicuuc.so", "libFoundationXML"] {
            XCTAssertFalse(text.contains(library), "\(library) is loaded at start:\n\(text)")
        }
    }
}
