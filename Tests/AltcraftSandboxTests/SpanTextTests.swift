import Foundation
import XCTest

@testable import AltcraftSandbox

/// The "Total time spent" log value, written from integers: it must read as `String(format:)`
/// with `%.3f` wrote it (the reference here), for any span the engine can measure.
final class SpanTextTests: XCTestCase {
    func testThreeDecimalsReadAsPrintfWritesThem() {
        var values: [Double] = [
            0, 1, 0.5, 0.0005, 0.0015, 0.9995, 0.9994, 1.0005, 2, 199.9995, 59.99949, 1e-9, 123_456.789,
            999_999_999.9994, 0.1, 0.2, 0.3, 7.0625, -0.0004, -1.5, -2.0005, -0.0, 0.0625, 2.5e-4, 1e13, .infinity, .nan,
        ]
        // A fixed sequence, so that a failure names the same value on every run.
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<20_000 {
            let magnitude = Double(generator.next() % 1_000_000_000) / 1_000_000 * pow(10, Double(generator.next() % 7) - 3)
            values.append(magnitude)
        }
        for value in values {
            XCTAssertEqual(SandboxCampaign.threeDecimals(value), String(format: "%.3f", value), "\(value)")
        }
    }

    func testSpansUnderASecondAreInMilliseconds() {
        XCTAssertEqual(SandboxCampaign.formatSpan(0.2), "200.000ms")
        XCTAssertEqual(SandboxCampaign.formatSpan(0.0001234), "0.123ms")
        XCTAssertEqual(SandboxCampaign.formatSpan(1), "1.000s")
        XCTAssertEqual(SandboxCampaign.formatSpan(83.25), "83.250s")
    }
}

/// SplitMix64: a small generator with a seed (the standard library's has none).
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
