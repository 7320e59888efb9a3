import Foundation
import XCTest

@testable import CopsShell

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's environment as the runner reads it (`ScriptRunner.Environment.process`).
final class ProcessVariablesTests: XCTestCase {
    /// This process's environment, with odd values added, read as Foundation reads it.
    func testTheVariablesAreFoundations() throws {
        let added = [
            "COPS_TEST_EQUALS": "a=b==c", "COPS_TEST_EMPTY": "", "COPS_TEST_UTF8": "Grüße, 東京 ✓",
            "COPS_TEST_SPACES": "  padded  ",
        ]
        for (name, value) in added { setenv(name, value, 1) }
        defer { for name in added.keys { unsetenv(name) } }
        let read = ScriptRunner.Environment.processVariables()
        XCTAssertEqual(read, ProcessInfo.processInfo.environment)
        for (name, value) in added { XCTAssertEqual(read[name], value, name) }
        XCTAssertGreaterThan(read.count, added.count)
    }

    /// Entries as `environ` may hold them but `setenv` never makes: a name given twice (the
    /// first wins, as with `getenv`), an entry without `=`, an empty name, bytes that are not
    /// UTF-8 (repaired, as Foundation's `String(cString:)` repairs them).
    func testOddEntriesAreReadAsGetenvReadsThem() {
        let texts: [[UInt8]] = [
            Array("TWICE=first".utf8), Array("TWICE=second".utf8), Array("NO_EQUALS".utf8), Array("=empty name".utf8),
            Array("BYTES=".utf8) + [0xFF, 0x41], Array("LAST=".utf8),
        ]
        let copies = texts.map { bytes in
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            for (index, byte) in bytes.enumerated() { copy[index] = CChar(bitPattern: byte) }
            copy[bytes.count] = 0
            return copy
        }
        defer { for copy in copies { copy.deallocate() } }
        var entries: [UnsafeMutablePointer<CChar>?] = copies + [nil]
        let read = entries.withUnsafeMutableBufferPointer { ScriptRunner.Environment.processVariables($0.baseAddress!) }
        XCTAssertEqual(read, ["TWICE": "first", "": "empty name", "BYTES": "\u{FFFD}A", "LAST": ""])
    }
}
