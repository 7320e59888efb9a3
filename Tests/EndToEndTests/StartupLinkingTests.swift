import Foundation
import XCTest

/// Every start of `cops` loads what the binary links: libedit (with libtinfo, libbsd, libmd)
/// is loaded only when the prompt opens, and the XML wire format has its own reader instead of
/// Foundation's libxml2 (with ICU, liblzma, libz) — docs/performance.md, "Fifth round". The
/// dynamic loader's own list (`ldd`) must not name them again.
final class StartupLinkingTests: XCTestCase {
    func testTheBinaryLoadsNeitherLibeditNorLibxml2AtStart() throws {
        let text = try output(of: "/usr/bin/ldd", [CopsProcess.binary.path])
        // ldd lists libc for any dynamically linked program: the list is real.
        XCTAssertTrue(text.contains("libc.so"), text)
        for library in ["libedit.so", "libxml2.so", "libicuuc.so", "libFoundationXML"] {
            XCTAssertFalse(text.contains(library), "\(library) is loaded at start:\n\(text)")
        }
    }

    /// libstdc++ and libsqlite3 are linked in from their archives (Package.swift,
    /// linker/static): loading and relocating the shared ones was a third of a one-shot's
    /// instructions (docs/performance.md, "Tenth round"). The binary's own list of the shared
    /// libraries it needs (a debug build's Swift libraries load libstdc++ for themselves).
    func testTheBinaryNeedsNeitherLibstdcxxNorLibsqlite3() throws {
        let text = try output(of: "/usr/bin/readelf", ["--dynamic", CopsProcess.binary.path])
        let needed = text.split(separator: "\n").compactMap { line -> Substring? in
            guard line.contains("(NEEDED)"), let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]")
            else { return nil }
            return line[line.index(after: open)..<close]
        }
        XCTAssertTrue(needed.contains { $0.hasPrefix("libc.so") }, text)
        for library in ["libstdc++.so", "libsqlite3.so"] {
            XCTAssertFalse(needed.contains { $0.hasPrefix(library) }, "\(library) is needed:\n\(text)")
        }
    }

    /// lld packs the binary's relative relocations as DT_RELR (Package.swift): gold wrote each
    /// as a 24-byte RELA entry, 3.4 MB that the loader read and applied at every start (docs/
    /// performance.md, "Eleventh round"). readelf lists both kinds of section.
    func testTheBinaryPacksItsRelativeRelocations() throws {
        let text = try output(of: "/usr/bin/readelf", ["--relocs", "--wide", CopsProcess.binary.path])
        let packed = try XCTUnwrap(
            text.split(separator: "\n").firstIndex { $0.hasPrefix("Relocation section '.relr.dyn'") },
            "no .relr.dyn section")
        let lines = text.split(separator: "\n")
        // "  60680 offsets": tens of thousands of pointers, packed.
        let offsets = lines[(packed + 1)...].first { $0.hasSuffix(" offsets") }
        XCTAssertGreaterThan(Int(offsets?.split(separator: " ").first ?? "") ?? 0, 10_000, String(offsets ?? ""))
        XCTAssertEqual(lines.filter { $0.contains("R_X86_64_RELATIVE") }.count, 0, "relative relocations left as RELA")
    }

    /// What a tool prints about the binary (which must exist); the tool must succeed.
    private func output(of tool: String, _ arguments: [String]) throws -> String {
        try CopsProcess.requireBinary()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        return text
    }
}
