import AltcraftWire
import Foundation
import XCTest

/// `UTCTime` against Foundation's formatters, which it replaced and which stay the reference.
final class UTCTimeTests: XCTestCase {
    private static func formatter(_ options: ISO8601DateFormatter.Options) -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = options
        return formatter
    }

    /// Times from 1970 to 2200, leap days and the last millisecond of a year among them.
    private var dates: [Date] {
        var generator = SystemRandomNumberGenerator()
        let edges: [Double] = [0, 951_782_400, 951_868_799.999, 1_704_067_199.999, 4_107_542_400, 7_258_118_399.999]
        let random = (0..<2000).map { _ in Double(Int64.random(in: 0..<7_258_118_400_000, using: &generator)) / 1000 }
        return (edges + random).map(Date.init(timeIntervalSince1970:))
    }

    func testWritesWhatFoundationWrites() {
        let withFraction = Self.formatter([.withInternetDateTime, .withFractionalSeconds])
        let withoutFraction = Self.formatter([.withInternetDateTime])
        let day = Self.formatter([.withFullDate])
        let compact = DateFormatter()
        compact.locale = Locale(identifier: "en_US_POSIX")
        compact.timeZone = TimeZone(identifier: "UTC")
        compact.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        for date in dates {
            XCTAssertEqual(UTCTime.rfc3339(date), withFraction.string(from: date), "\(date.timeIntervalSince1970)")
            XCTAssertEqual(UTCTime.rfc3339(date, milliseconds: false), withoutFraction.string(from: date))
            XCTAssertEqual(UTCTime.day(date), day.string(from: date))
            XCTAssertEqual(UTCTime.compact(date), compact.string(from: date))
        }
    }

    func testMillisecondsAreRoundedToTheNearest() {
        XCTAssertEqual(UTCTime.rfc3339(Date(timeIntervalSince1970: 59.9996)), "1970-01-01T00:01:00.000Z")
        XCTAssertEqual(UTCTime.rfc3339(Date(timeIntervalSince1970: 0.208)), "1970-01-01T00:00:00.208Z")
    }

    func testReadsWhatFoundationReads() {
        let reference = Self.formatter([.withInternetDateTime, .withFractionalSeconds])
        for date in dates {
            let text = reference.string(from: date)
            XCTAssertEqual(
                UTCTime.parse(text)!.timeIntervalSince1970, reference.date(from: text)!.timeIntervalSince1970, accuracy: 0.0005,
                text)
        }
        let plain = Self.formatter([.withInternetDateTime])
        for text in ["2018-08-10T00:00:00Z", "2018-08-10T02:30:00+02:30", "2018-08-09T21:00:00-03:00", "2024-02-29T23:59:59Z"] {
            XCTAssertEqual(UTCTime.parse(text)?.timeIntervalSince1970, plain.date(from: text)?.timeIntervalSince1970, text)
        }
        XCTAssertEqual(UTCTime.parse("2018-08-10T00:00:00.5Z")?.timeIntervalSince1970, 1_533_859_200.5)
        XCTAssertEqual(UTCTime.parse("2018-08-10t00:00:00.000z")?.timeIntervalSince1970, 1_533_859_200)
    }

    func testRefusesWhatIsNoDateTime() {
        for text in [
            "", "2018-08-10", "2018-08-10T00:00:00", "2018-08-10T00:00Z", "2018-08-10 00:00:00Z", "2018-13-10T00:00:00Z",
            "2023-02-29T00:00:00Z", "2018-08-10T24:00:00Z", "2018-08-10T00:00:00.Z", "2018-08-10T00:00:00+0200",
            "2018-08-10T00:00:00+24:00", "2018-08-10T00:00:00Zx", "２018-08-10T00:00:00Z",
        ] {
            XCTAssertNil(UTCTime.parse(text), text)
        }
    }
}
