import CampaignScript
import Foundation
import XCTest

/// Rendered diagnostics for every `Golden/*.cops` must match `Golden/*.txt` byte for byte.
/// Run with `COPS_RECORD_GOLDEN=1` to rewrite the expectations; recording always fails the test
/// so a recorded run can never be mistaken for a passing one.
final class GoldenTests: XCTestCase {
    private static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden")

    private var isRecording: Bool { ProcessInfo.processInfo.environment["COPS_RECORD_GOLDEN"] == "1" }

    func testGoldenDiagnostics() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".cops") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 5, "golden inputs missing from \(Self.directory.path)")
        for name in names {
            let input = Self.directory.appendingPathComponent(name)
            let expectedURL = input.deletingPathExtension().appendingPathExtension("txt")
            let bytes = try [UInt8](Data(contentsOf: input))
            let file = SourceFile(name: name, bytes: bytes)
            let rendered = DiagnosticRenderer().render(Checker.check(file).diagnostics, in: file)
            if isRecording {
                try Data(rendered.utf8).write(to: expectedURL)
                XCTFail("recorded \(expectedURL.lastPathComponent); unset COPS_RECORD_GOLDEN to compare")
                continue
            }
            guard let expected = try? String(contentsOf: expectedURL, encoding: .utf8) else {
                XCTFail(
                    "missing \(expectedURL.lastPathComponent); run with COPS_RECORD_GOLDEN=1 to create it")
                continue
            }
            XCTAssertEqual(rendered, expected, "golden mismatch for \(name):\n\(rendered)")
        }
    }
}
