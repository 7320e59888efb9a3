import AltcraftAPI
import AltcraftWire
import XCTest

/// Every example answer of the reference decodes, in JSON and in XML, to the same values.
final class FixtureDecodingTests: XCTestCase {
    func client(answering url: URL) throws -> AltcraftClient {
        let type = url.pathExtension == "xml" ? "application/xml" : "application/json"
        let body = String(decoding: try Fixtures.bytes(url), as: UTF8.self)
        return AltcraftClient(
            configuration: ClientConfiguration(token: "abcdefghijklmnqrstuvwxyz"),
            transport: StubTransport(contentType: type, body: body))
    }

    /// The fixture files of one example: the JSON copy and every XML form of it.
    func variants(_ base: String) throws -> [URL] {
        let all = try Fixtures.files("responses").filter { $0.lastPathComponent.hasPrefix(base + ".") }
        XCTAssertGreaterThanOrEqual(all.count, 2, "\(base): expected a JSON and an XML fixture")
        return all
    }

    struct Row: Equatable {
        var id: Int64, name: String, type: String, isActive: Bool, forConfirm: Bool, tags: [String], groups: [CampaignGroup]
        init(_ s: CampaignSummary) {
            (id, name, type, isActive, forConfirm, tags, groups) = (
                s.id, s.name, s.type, s.isActive, s.forConfirm, s.uiTags, s.groups
            )
        }
    }

    func assertPage(
        _ base: String, _ list: (AltcraftClient) async throws -> CampaignPage, ids: [Int64], total: Int, next: Int64?,
        check: (CampaignPage) -> Void = { _ in }
    ) async throws {
        var first: [Row]?
        for url in try variants(base) {
            let page = try await list(try client(answering: url))
            XCTAssertEqual(page.campaigns.map(\.id), ids, url.lastPathComponent)
            XCTAssertEqual(page.totalCount, total, url.lastPathComponent)
            XCTAssertEqual(page.nextFromID, next, url.lastPathComponent)
            check(page)
            let rows = page.campaigns.map(Row.init)
            if let first {
                XCTAssertEqual(rows, first, "\(url.lastPathComponent) differs from the JSON example")
            } else {
                first = rows
            }
        }
    }

    func testCampaignListExamplesDecode() async throws {
        try await assertPage(
            "campaigns-list.v72", { try await $0.list() }, ids: [5, 7], total: 134, next: 8,
            check: { page in
                XCTAssertEqual(page.campaigns[1].name, "Copy of New meteoric campaign")
                XCTAssertEqual(page.campaigns[0].groups, [CampaignGroup(id: 0, name: "main")])
                XCTAssertEqual(page.campaigns[0].type, "broadcast")
            })
        try await assertPage(
            "campaigns-list.capitalised-groups", { try await $0.list() }, ids: [1, 2], total: 14, next: 3,
            check: {
                page in
                XCTAssertEqual(page.campaigns[1].groups, [CampaignGroup(id: 1, name: "subaccount")])
                XCTAssertEqual(page.campaigns[0].uiTags, ["tag1", "tag2"])
                XCTAssertTrue(page.campaigns[0].isActive)
            })
    }

    func testTypedListExamplesDecode() async throws {
        try await assertPage("broadcasts-list", { try await $0.broadcasts.list() }, ids: [3, 5], total: 17, next: nil)
        try await assertPage(
            "regulars-list", { try await $0.regulars.list() }, ids: [15, 78], total: 3, next: nil,
            check: { page in
                XCTAssertEqual(page.campaigns[0].uiTags, ["B2C"])
            })
        try await assertPage(
            "triggers-list", { try await $0.triggers.list() }, ids: [12, 14], total: 41, next: nil,
            check: { page in
                XCTAssertEqual(page.campaigns[0].type, "api_call")
                XCTAssertEqual(page.campaigns[1].raw["providers"]?.arrayValue?.count, 22, "unmodelled fields are kept")
            })
    }

    func assertRecord(
        _ base: String, _ get: (AltcraftClient) async throws -> CampaignRecord, check: (CampaignRecord) -> Void
    ) async throws {
        var keys: [String]?
        for url in try variants(base) {
            let record = try await get(try client(answering: url))
            check(record)
            // XML drops empty arrays, so compare the keys of non-empty fields only.
            let present = record.raw.fields.filter { $0.value.arrayValue?.isEmpty != true && !$0.value.isNull }.map(\.key)
            if let keys { XCTAssertEqual(present, keys, url.lastPathComponent) } else { keys = present }
        }
    }

    func testCampaignGetExamplesKeepTheWholeRecord() async throws {
        try await assertRecord(
            "campaigns-get.v72", { try await $0.get(id: 118) },
            check: { record in
                XCTAssertEqual(record.id, 118)
                XCTAssertEqual(record.name, "Daily weather notification")
                XCTAssertEqual(record.type, "regular")
                XCTAssertEqual(record.status, "Inactive")
                XCTAssertEqual(record.isCompleted, false)
                XCTAssertEqual(record.raw["providers"]?.arrayValue?.count, 21)
                XCTAssertEqual(record.raw["channel"]?.stringValue, "push")
                XCTAssertEqual(record.raw["content"]?.arrayValue?.first?["message_id"]?.intValue, 21)
            })
        try await assertRecord(
            "campaigns-get.splittest", { try await $0.get(id: 1) },
            check: { record in
                XCTAssertEqual(record.type, "splittest")
                XCTAssertEqual(record.raw["content"]?.arrayValue?.count, 2)
                XCTAssertEqual(record.raw["send_email_content"]?.boolValue, true)
            })
    }

    func testTypedGetExamplesDecode() async throws {
        try await assertRecord(
            "broadcasts-get", { try await $0.broadcasts.get(id: 179) },
            check: { record in
                XCTAssertEqual(record.id, 179)
                XCTAssertEqual(record.name, "sms ", "trailing space of the example is kept")
                XCTAssertEqual(record.raw["start_schedule"]?["start_hours"]?.arrayValue?.first?.intValue, 16)
            })
        try await assertRecord(
            "regulars-get.v72", { try await $0.regulars.get(id: 15) },
            check: { record in
                XCTAssertEqual(record.id, 15)
                XCTAssertTrue(record.isActive)
                XCTAssertEqual(
                    record.raw["custom_tracking_domains"]?.arrayValue?.compactMap(\.stringValue),
                    ["trk.example.com", "trk.example.org"])
            })
        try await assertRecord(
            "regulars-get.older", { try await $0.regulars.get(id: 4428) },
            check: { record in
                XCTAssertEqual(record.id, 4428)
                XCTAssertEqual(record.raw["start_schedule"]?["start_years"]?.arrayValue?.first?.intValue, 2016)
            })
        try await assertRecord(
            "triggers-get", { try await $0.triggers.get(id: 7) },
            check: { record in
                XCTAssertEqual(record.id, 7)
                XCTAssertEqual(record.type, "api_call", "trigger_type stands in for type")
                XCTAssertEqual(record.raw["call_url"]?.stringValue?.hasSuffix("/<email|md5|xxh>"), true)
            })
    }

    func testLogExamplesDecode() async throws {
        for url in try variants("campaigns-log_v2.v72") {
            let log = try await client(answering: url).log(id: 1, limit: 2)
            XCTAssertEqual(log.totalCount, 140, url.lastPathComponent)
            XCTAssertEqual(
                log.entries,
                [
                    LogEntry(
                        level: "INFO", message: "Campaign finished", time: "2024-04-02T17:57:01.504Z", state: "end", value: ""),
                    LogEntry(
                        level: "INFO", message: "Total time spent", time: "2024-04-02T17:57:01.505Z", state: "",
                        value: "138.351985ms"),
                ], url.lastPathComponent)
        }
        for url in try variants("campaigns-log_v2.older") {
            let log = try await client(answering: url).log(id: 1)
            XCTAssertEqual(log.totalCount, 10)
            XCTAssertEqual(log.entries.map(\.state), ["start"])
        }
    }

    func testCloneStatusAndEmptyAnswersDecode() async throws {
        for url in try variants("campaigns-clone") {
            let saved = try await client(answering: url).clone(id: 1, name: "Clone")
            XCTAssertEqual(saved, 87, url.lastPathComponent)
        }
        for url in try variants("campaigns-get_status") {
            let status = try await client(answering: url).status(id: 82)
            XCTAssertEqual(status, CampaignStatus(isActive: false, isCompleted: false, status: "Inactive"), url.lastPathComponent)
        }
        for base in ["campaigns-activate", "campaigns-deactivate", "generic-success"] {
            for url in try variants(base) {
                try await client(answering: url).activate(id: 82)
                try await client(answering: url).deactivate(id: 15, abortIfRunning: true)
            }
        }
    }

    func testXMLAnswersNormaliseToTheSameTypesAsJSON() async throws {
        for base in ["campaigns-list.v72", "campaigns-list.capitalised-groups", "triggers-list", "regulars-list"] {
            let urls = try variants(base)
            let jsonURL = try XCTUnwrap(urls.first { $0.pathExtension == "json" })
            let json = try await client(answering: jsonURL).list().campaigns.map(\.normalized)
            for url in urls where url != jsonURL {
                let rows = try await client(answering: url).list().campaigns.map(\.normalized)
                XCTAssertEqual(rows.count, json.count)
                for (row, expected) in zip(rows, json) {
                    for field in row.fields {
                        XCTAssertEqual(field.value, expected[field.key], "\(url.lastPathComponent): \(field.key)")
                    }
                }
            }
        }
        for (base, id): (String, Int64) in [("campaigns-get.v72", 118), ("regulars-get.v72", 15), ("broadcasts-get", 179)] {
            let urls = try variants(base)
            let jsonURL = try XCTUnwrap(urls.first { $0.pathExtension == "json" })
            let json = try await client(answering: jsonURL).get(id: id).normalized
            for url in urls where url != jsonURL {
                let record = try await client(answering: url).get(id: id).normalized
                assertSameAsJSON(.object(record), .object(json), "\(url.lastPathComponent)")
            }
        }
    }

    /// The XML value equals the JSON one, but for the empty lists XML cannot carry.
    func assertSameAsJSON(_ xml: WireValue, _ json: WireValue?, _ path: String, line: UInt = #line) {
        switch (xml, json) {
        case (.object(let object), .object(let expected)?):
            for field in object.fields { assertSameAsJSON(field.value, expected[field.key], path + "." + field.key, line: line) }
        default:
            XCTAssertEqual(xml, json, path, line: line)
        }
    }

    func testEveryResponseFixtureIsCovered() throws {
        let covered = [
            "campaigns-list.v72", "campaigns-list.capitalised-groups", "broadcasts-list", "regulars-list", "triggers-list",
            "campaigns-get.v72", "campaigns-get.splittest", "broadcasts-get", "regulars-get.v72", "regulars-get.older",
            "triggers-get",
            "campaigns-log_v2.v72", "campaigns-log_v2.older", "campaigns-clone", "campaigns-get_status", "campaigns-activate",
            "campaigns-deactivate", "generic-success",
        ]
        for url in try Fixtures.files("responses") {
            XCTAssertTrue(
                covered.contains { url.lastPathComponent.hasPrefix($0 + ".") }, "\(url.lastPathComponent) is not tested")
        }
    }
}
