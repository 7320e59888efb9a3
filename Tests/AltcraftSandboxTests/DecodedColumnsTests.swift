import XCTest

@testable import AltcraftSandbox

/// The decoded-column memo answers what decoding each text answers, whatever came before.
final class DecodedColumnsTests: XCTestCase {
    func testEveryAnswerIsTheDecodingOfItsOwnText() {
        let columns = DecodedColumns()
        let tags = [#"[]"#, #"[]"#, #"["a","b"]"#, #"["a","b"]"#, #"[]"#, #"[1]"#, #"[]"#, #"not json"#, #"["a"]"#]
        for text in tags { XCTAssertEqual(columns.tags(text), SandboxStore.strings(text), text) }
        let groups = [
            #"[{"id":0,"name":"main"}]"#, #"[{"id":0,"name":"main"}]"#, #"[{"id":3,"name":"vip"}]"#, #"[{"id":0}]"#,
            #"[{"id":0,"name":"main"}]"#, #"[]"#,
        ]
        for text in groups {
            XCTAssertEqual(columns.groups(text)?.map(\.id), SandboxStore.groups(text)?.map(\.id), text)
            XCTAssertEqual(columns.groups(text)?.map(\.name), SandboxStore.groups(text)?.map(\.name), text)
        }
        // More distinct texts than are kept, in turn, so that old ones are replaced.
        let many = (0..<9).map { #"["t\#($0)"]"# }
        for text in many + many.reversed() + many { XCTAssertEqual(columns.tags(text), SandboxStore.strings(text), text) }
        XCTAssertEqual(columns.tags(#"["a","b"]"#), ["a", "b"], "the reference itself decodes")
        XCTAssertNil(columns.groups(#"[{"id":0}]"#), "a group without a name is damage")
    }
}
