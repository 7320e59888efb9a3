import AltcraftWire
import CampaignScript
import Foundation
import JSONText
import XCTest

/// The wire's JSON writer and the `json` result format write strings alike, and what they
/// write is JSON that Foundation's reader turns back into the same string.
final class JSONStringTests: XCTestCase {
    /// Strings that an escaper can get wrong, each with the bytes expected between the quotes.
    static let cases: [(text: String, escaped: String)] = [
        ("plain", "plain"),
        ("", ""),
        ("quote \" backslash \\ slash /", #"quote \" backslash \\ slash /"#),
        ("line\nreturn\rtab\t", #"line\nreturn\rtab\t"#),
        ("\u{0}\u{1}\u{8}\u{B}\u{C}\u{1B}\u{1F}", #"\u0000\u0001\u0008\u000b\u000c\u001b\u001f"#),
        ("del \u{7F}", #"del \u007f"#),
        ("line\u{2028}paragraph\u{2029}end", #"line\u2028paragraph\u2029end"#),
        ("\u{2029}", #"\u2029"#),
        ("Весна — 🌸 \u{10FFFF}", "Весна — 🌸 \u{10FFFF}"),
        ("\u{85}\u{2027}\u{202A}", "\u{85}\u{2027}\u{202A}"),
        ("\u{E2}\u{80}", "\u{E2}\u{80}"),
    ]

    /// Every C0 control character, each escaped.
    static let controls = String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init)))

    func testWritersProduceTheChosenEscapes() {
        for (text, escaped) in Self.cases {
            let expected = "\"" + escaped + "\""
            XCTAssertEqual(JSONString.literal(text), expected, text.debugDescription)
            XCTAssertEqual(JSONWire.encodeString(.string(text)), expected, text.debugDescription)
            XCTAssertEqual(JSONLinesFormatter.encode(.string(text)), expected, text.debugDescription)
        }
    }

    func testEveryControlCharacterIsEscapedAndReadsBack() throws {
        let written = JSONString.literal(Self.controls)
        XCTAssertFalse(written.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, written)
        XCTAssertEqual(try foundationRead(written), Self.controls)
    }

    func testFoundationReadsBackWhatBothWritersWrite() throws {
        for text in Self.cases.map(\.text) + [Self.controls] {
            let wire = JSONWire.encodeString(.object(WireObject([(text, .string(text))])))
            let lines = JSONLinesFormatter.encode(.record(Record([(text, .string(text))])))
            XCTAssertEqual(wire, lines, text.debugDescription)
            let object = try XCTUnwrap(
                JSONSerialization.jsonObject(with: Data(wire.utf8)) as? [String: String], wire)
            XCTAssertEqual(object, [text: text], wire)
        }
    }

    func testTextFormatQuotesWhatNeedsEscapes() {
        let block = ResultBlock(
            op: "echo", layout: .perID,
            rows: [ResultRow(Record([("a", .string("plain")), ("b", .string("del\u{7F}")), ("c", .string("x\u{2028}"))]))])
        XCTAssertEqual(KeyValueFormatter().format(block), #"op=echo a=plain b="del\u007f" c="x\u2028""# + "\n")
    }

    private func foundationRead(_ literal: String) throws -> String? {
        try JSONSerialization.jsonObject(with: Data(literal.utf8), options: [.fragmentsAllowed]) as? String
    }
}
