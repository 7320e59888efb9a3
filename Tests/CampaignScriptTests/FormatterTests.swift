import CampaignScript
import XCTest

/// The three output formats of docs/language.md, "Output formats".
final class FormatterTests: XCTestCase {
    let bulk = ResultBlock(
        op: "deactivate", layout: .perID,
        rows: [
            ResultRow(Record([("id", .int(15)), ("ok", .bool(true))])),
            ResultRow(
                Record([("id", .int(16)), ("ok", .bool(false))]),
                error: OperationError(.api, code: 400, text: "API error 400 (bad \"id\")")),
        ])

    func testJSONIsOneObjectPerLineWithStableFieldNames() {
        XCTAssertEqual(
            JSONLinesFormatter().format(bulk),
            """
            {"op":"deactivate","id":15,"ok":true}
            {"op":"deactivate","id":16,"ok":false,"error":{"kind":"api","code":400,"text":"API error 400 (bad \\"id\\")"}}

            """)
    }

    func testJSONEncodesEveryValueKind() {
        let value = Value.record(
            Record([
                ("n", .int(-3)), ("s", .string("Весна\n\u{1}")), ("b", .bool(false)), ("z", .null), ("d", .duration(90_000)),
                ("l", .list([.int(1), .string("a")])),
            ]))
        XCTAssertEqual(
            JSONLinesFormatter.encode(value), #"{"n":-3,"s":"Весна\n\u0001","b":false,"z":null,"d":"1m30s","l":[1,"a"]}"#)
    }

    func testTableAlignsColumnsAndEndsWithASummary() {
        XCTAssertEqual(
            TableFormatter().format(bulk),
            """
            ID  RESULT
            15  ok
            16  failed: API error 400 (bad "id")
            1 ok, 1 failed

            """)
    }

    func testTableAlignsCyrillicNamesByCharacters() {
        let block = ResultBlock(
            op: "list", layout: .rows,
            rows: [
                ResultRow(
                    Record([
                        ("id", .int(21)), ("name", .string("Весенняя акция")), ("ui_tags", .list([.string("a"), .string("b")])),
                    ])),
                ResultRow(Record([("id", .int(1)), ("name", .string("x")), ("ui_tags", .list([]))])),
            ], preferredColumns: ["id", "name", "ui_tags"])
        XCTAssertEqual(
            TableFormatter().format(block),
            """
            ID  NAME            UI_TAGS
            21  Весенняя акция  a,b
            1   x

            """)
    }

    func testTableSummaryCountsPlannedAndNotDone() {
        let rows = [
            ResultRow(Record([("id", .int(1)), ("ok", .bool(true)), ("planned", .bool(true))])),
            ResultRow(Record([("id", .int(2)), ("ok", .bool(false)), ("done", .bool(false))]), error: .cancelled),
        ]
        XCTAssertEqual(TableFormatter.summary(rows), "0 ok, 0 failed, 1 planned, 1 not done")
    }

    func testTextIsKeyValueLines() {
        XCTAssertEqual(
            KeyValueFormatter().format(bulk),
            """
            op=deactivate id=15 ok=true
            op=deactivate id=16 ok=false error.kind=api error.code=400 error.text="API error 400 (bad \\"id\\")"

            """)
    }

    func testEchoIsPlainTextExceptInJSON() {
        let block = ResultBlock.text("echo", "stopping 3 campaigns")
        XCTAssertEqual(TableFormatter().format(block), "stopping 3 campaigns\n")
        XCTAssertEqual(KeyValueFormatter().format(block), "stopping 3 campaigns\n")
        XCTAssertEqual(JSONLinesFormatter().format(block), #"{"op":"echo","text":"stopping 3 campaigns"}"# + "\n")
    }

    func testValuesCompareAndPrintAsWritten() {
        XCTAssertEqual(Value.order(.duration(1000), .duration(2000)), -1)
        XCTAssertNil(Value.order(.int(1), .string("1")))
        XCTAssertEqual(Value.contains(.list([.record(Record([("id", .int(15))]))]), .int(15)), true)
        XCTAssertEqual(Value.list([.int(1), .string("a")]).literalText, #"[1, "a"]"#)
        XCTAssertEqual(Value.durationText(3_723_004), "1h2m3s4ms")
        XCTAssertEqual(Value.list([.int(1), .int(2)]).field("count"), .int(2))
    }
}
