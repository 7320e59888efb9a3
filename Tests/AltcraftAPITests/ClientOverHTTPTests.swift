import AltcraftAPI
import AltcraftSandbox
import XCTest

/// The client against the sandbox server over a real loopback connection, every endpoint,
/// in both wire formats.
final class ClientOverHTTPTests: XCTestCase {
    func withClient(
        _ format: ClientConfiguration.WireFormat, placement: ClientConfiguration.TokenPlacement = .body,
        clock: ManualSandboxClock = ManualSandboxClock(), transport kind: TransportKind = .asyncHTTPClient,
        _ body: (AltcraftClient, Sandbox) async throws -> Void
    ) async throws {
        let sandbox = makeSandbox(clock: clock)
        try await withSandboxServer(sandbox, over: kind) { url in
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: SandboxEngine.defaultToken, tokenPlacement: placement, format: format),
                transport: try kind.make(url))
            do {
                try await body(client, sandbox)
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
        }
    }

    func testEveryEndpointInJSON() async throws { try await exerciseEveryEndpoint(.json) }
    func testEveryEndpointInXML() async throws { try await exerciseEveryEndpoint(.xml) }
    func testEveryEndpointInJSONOverSockets() async throws { try await exerciseEveryEndpoint(.json, .sockets) }
    func testEveryEndpointInXMLOverSockets() async throws { try await exerciseEveryEndpoint(.xml, .sockets) }
    func testEveryEndpointInJSONOverHTTPS() async throws { try await exerciseEveryEndpoint(.json, .https) }
    func testEveryEndpointInXMLOverHTTPS() async throws { try await exerciseEveryEndpoint(.xml, .https) }
    func testEveryEndpointInJSONOverHTTP2() async throws { try await exerciseEveryEndpoint(.json, .https2) }
    func testBearerTokenPlacementOverHTTPS() async throws { try await bearerTokenPlacement(.https) }
    func testBearerTokenPlacement() async throws { try await bearerTokenPlacement(.asyncHTTPClient) }
    func testBearerTokenPlacementOverSockets() async throws { try await bearerTokenPlacement(.sockets) }

    func bearerTokenPlacement(_ kind: TransportKind) async throws {
        try await withClient(.json, placement: .bearerHeader, transport: kind) { client, sandbox in
            let status = try await client.status(id: 82)
            XCTAssertEqual(status.status, "Inactive")
            let sent = sandbox.withEngine { $0.requestLog.last! }
            XCTAssertNil(sent.parameters["token"], "the token travelled in the header, not the body")
        }
    }

    func exerciseEveryEndpoint(_ format: ClientConfiguration.WireFormat, _ kind: TransportKind = .asyncHTTPClient)
        async throws
    {
        let clock = ManualSandboxClock()
        try await withClient(format, clock: clock, transport: kind) { client, sandbox in
            // status and get
            let status = try await client.status(id: 15)
            XCTAssertEqual(status, CampaignStatus(isActive: true, isCompleted: false, status: "Sending"))
            let record = try await client.get(id: 118)
            XCTAssertEqual(record.name, "Daily weather notification")
            XCTAssertEqual(record.raw["channel"]?.stringValue, "push")

            // list: one page, and the whole list through next_from_id
            let page = try await client.list(CampaignListQuery(limit: 5))
            XCTAssertEqual(page.campaigns.count, 5)
            XCTAssertEqual(page.nextFromID, page.campaigns.last!.id + 1)
            var all: [Int64] = []
            for try await campaign in client.listAll(CampaignListQuery(limit: 4)) { all.append(campaign.id) }
            XCTAssertEqual(all, sandbox.withEngine { $0.campaignIDs.map(Int64.init) })
            let spring = try await client.list(CampaignListQuery(isActive: true, uiTags: ["spring-2024"]))
            XCTAssertEqual(spring.campaigns.map(\.id), [20, 21, 22])
            XCTAssertEqual(spring.campaigns[1].name, "Весенняя акция — SMS", "Cyrillic survives the wire")

            // deactivate with and without abort
            try await client.deactivate(id: 15, abortIfRunning: true)
            let value1 = try await client.status(id: 15).status
            XCTAssertEqual(value1, "Inactive")
            try await client.deactivate(id: 87)
            let value2 = try await client.status(id: 87).status
            XCTAssertEqual(value2, "Stopping")

            // activate, with run_now and overrides
            try await client.activate(
                id: 82, runNow: true, options: LaunchOptions(overrideSourceType: .list, overrideSourceID: 1, overrideLimit: 300))
            let value3 = try await client.status(id: 82).status
            XCTAssertEqual(value3, "Sending")
            XCTAssertEqual(sandbox.withEngine { $0.campaign(82)!.queued }, 300)
            try await client.activate(id: 78)
            let value4 = try await client.status(id: 78).isActive
            XCTAssertTrue(value4)

            // log
            let log = try await client.log(id: 15)
            XCTAssertTrue(log.entries.contains { $0.message == "Sending aborted" && $0.level == "WARNING" })
            XCTAssertEqual(log.totalCount, log.entries.count)
            let limited = try await client.log(id: 15, fromTime: "2000-01-01T00:00:00.000Z", limit: 1)
            XCTAssertEqual(limited.entries.count, 1)

            // clone and delete
            let copy = try await client.clone(id: 118, name: "Погода, копия")
            let value5 = try await client.get(id: copy).name
            XCTAssertEqual(value5, "Погода, копия")
            let defaultCopy = try await client.clone(id: 118)
            let value6 = try await client.get(id: defaultCopy).name
            XCTAssertEqual(value6, "Clone of Daily weather notification")
            try await client.delete(id: copy)
            if let error = await expectFailure({ () async throws(AltcraftError) in try await client.get(id: copy) }) {
                XCTAssertTrue(error.isNotFound)
                XCTAssertEqual(error.stage, .api)
                XCTAssertEqual(error.endpoint, .get)
                XCTAssertEqual(error.campaignID, copy)
            }

            // per-type sub-APIs
            let value7 = try await client.broadcasts.list().campaigns.map(\.type).uniqued()
            XCTAssertEqual(value7, ["broadcast"])
            let value8 = try await client.regulars.list().campaigns.map(\.type).uniqued()
            XCTAssertEqual(value8, ["regular"])
            let value9 = try await client.triggers.list().campaigns.allSatisfy { $0.type != "trigger" && !$0.type.isEmpty }
            XCTAssertTrue(value9)
            let value10 = try await client.broadcasts.get(id: 87).name
            XCTAssertEqual(value10, "Weekly digest")
            let value11 = try await client.regulars.get(id: 15).name
            XCTAssertEqual(value11, "Regular campaign 1")
            let value12 = try await client.triggers.get(id: 12).type
            XCTAssertEqual(value12, "trigger")
            try await client.activate(id: 3)
            try await client.broadcasts.start(id: 3, options: LaunchOptions(overrideLimit: 10))
            XCTAssertEqual(sandbox.withEngine { $0.campaign(3)!.queued }, 10)
            try await client.regulars.start(id: 1)
            let value13 = try await client.status(id: 1).status
            XCTAssertEqual(value13, "Sending")

            // the queue drains with the sandbox's clock
            clock.advance(by: 3600)
            let value14 = try await client.status(id: 87)
            XCTAssertEqual(value14, CampaignStatus(isActive: false, isCompleted: true, status: "Completed"))

            // every request used the chosen format
            let formats = sandbox.withEngine { $0.requestLog.map { $0.parameters["format"]?.stringValue } }
            XCTAssertTrue(formats.allSatisfy { $0 == (format == .xml ? "xml" : nil) })
        }
    }

    func testAPIErrorsAreTypedAndNameTheEndpointAndCampaign() async throws {
        try await withClient(.xml) { client, _ in
            if let error = await expectFailure({ () async throws(AltcraftError) in try await client.broadcasts.start(id: 82) }) {
                XCTAssertEqual(error.stage, .api)
                XCTAssertEqual(error.apiCode, 400)
                XCTAssertEqual(error.endpoint, .broadcastsStart)
                XCTAssertEqual(error.campaignID, 82)
                XCTAssertEqual(error.attempts, 1, "API errors are not retried")
                XCTAssertTrue(error.description.hasPrefix("campaigns/broadcasts/start (id 82): API error 400"), error.description)
            }
        }
    }

    func testWrongTokenIsAnAuthenticationFailure() async throws {
        let sandbox = makeSandbox()
        try await withSandboxServer(sandbox) { url in
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: "not-the-token"), transport: try HTTPTransport(baseURL: url))
            defer { Task { await client.shutdown() } }
            if let error = await expectFailure({ () async throws(AltcraftError) in try await client.status(id: 15) }) {
                XCTAssertTrue(error.isAuthenticationFailure)
                XCTAssertEqual(error.apiCode, 403)
            }
        }
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
