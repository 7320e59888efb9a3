import AltcraftSandbox
import AltcraftWire
import XCTest

final class EngineSeedTests: XCTestCase {
    /// Every seed ID with the name and type the reference's examples give it (or the sandbox's
    /// own playground names where the reference shows none).
    static let seed: [(id: Int, name: String, type: String)] = [
        (1, "New campaign1", "regular"), (2, "New campaign2", "trigger"), (3, "New campaign 1", "broadcast"),
        (5, "New meteoric campaign", "broadcast"), (7, "Copy of New meteoric campaign", "broadcast"),
        (12, "New trigger campaign 3", "trigger"), (14, "New planetary campaign", "trigger"),
        (15, "Regular campaign 1", "regular"), (20, "Spring promo — email", "broadcast"),
        (21, "Весенняя акция — SMS", "broadcast"), (22, "Spring promo — push", "broadcast"),
        (30, "Welcome series", "trigger"), (31, "Abandoned cart", "trigger"), (40, "Monthly newsletter", "regular"),
        (78, "Regular campaign 2", "regular"), (82, "Summer sale", "broadcast"), (87, "Weekly digest", "broadcast"),
        (118, "Daily weather notification", "regular"), (179, "sms ", "broadcast"), (4727, "Autumn promo", "broadcast"),
        (11768, "Black Friday", "broadcast"),
    ]

    func testSeedHoldsTheCampaignsOfTheReferenceExamplesWithTheirNamesAndTypes() {
        var engine = SandboxEngine(clock: ManualSandboxClock())
        XCTAssertEqual(engine.campaignIDs, Self.seed.map(\.id))
        for expected in Self.seed {
            let record = engine.call("campaigns/get", ("id", .int(Int64(expected.id))))
            XCTAssertEqual(record.code, 0, "campaign \(expected.id)")
            XCTAssertEqual(record.data["name"]?.stringValue, expected.name, "campaign \(expected.id)")
            XCTAssertEqual(record.data["type"]?.stringValue, expected.type, "campaign \(expected.id)")
            XCTAssertEqual(engine.campaign(expected.id)?.kind.rawValue, expected.type)
        }
    }

    func testSeedCampaign118IsTheInactiveDailyWeatherNotificationRegular() {
        var engine = SandboxEngine(clock: ManualSandboxClock())
        let record = engine.call("campaigns/get", ("id", 118)).data
        XCTAssertEqual(record["name"], "Daily weather notification")
        XCTAssertEqual(record["type"], "regular")
        XCTAssertEqual(record["is_active"], false)
        XCTAssertEqual(engine.status(118), "Inactive")
    }

    func testSeedCampaign15IsARegularThatIsActiveAndSending() {
        var engine = SandboxEngine(clock: ManualSandboxClock())
        let campaign = engine.campaign(15)!
        XCTAssertEqual(campaign.kind, .regular)
        XCTAssertTrue(campaign.isActive)
        XCTAssertGreaterThan(campaign.queued, 0)
        let status = engine.call("campaigns/get_status", ("id", 15)).data
        XCTAssertEqual(status["is_active"], true)
        XCTAssertEqual(status["is_completed"], false)
        XCTAssertEqual(status["status"], "Sending")
    }

    func testSeedCampaign82AnswersGetStatusExactlyAsTheReferenceExample() {
        var engine = SandboxEngine(clock: ManualSandboxClock())
        let reply = engine.call("campaigns/get_status", ("id", 82))
        XCTAssertEqual(
            reply.envelope,
            WireObject([
                ("data", .object(WireObject([("is_active", false), ("is_completed", false), ("status", "Inactive")]))),
                ("error", 0), ("error_text", "Successful operation"),
            ]))
    }

    func testSeedHasCampaignsOfEveryTypeSomeActiveAndSomeSending() {
        let engine = SandboxEngine(clock: ManualSandboxClock())
        let campaigns = engine.campaignIDs.compactMap { engine.campaign($0) }
        XCTAssertEqual(Set(campaigns.map(\.kind)), Set(SandboxCampaign.Kind.allCases))
        XCTAssertTrue(campaigns.contains { $0.isActive })
        XCTAssertTrue(campaigns.contains { !$0.isActive })
        XCTAssertEqual(campaigns.filter { $0.queued > 0 }.map(\.id), [15, 20, 21, 87, 11768])
    }

    func testSeedIsDeterministicForTheSameClock() {
        let a = SandboxEngine(clock: ManualSandboxClock())
        let b = SandboxEngine(clock: ManualSandboxClock())
        XCTAssertEqual(a.state, b.state)
        XCTAssertEqual(a.state, SandboxState.seed(at: ManualSandboxClock().now()))
        XCTAssertEqual(a.state.nextID, 11769)
    }

    func testFillToGeneratesEveryIDUpToTheLimitAndKeepsTheNamedSeeds() {
        var engine = SandboxEngine(clock: ManualSandboxClock(), fillTo: 5000)
        let ids = Set(engine.campaignIDs)
        XCTAssertTrue(ids.isSuperset(of: 1...5000))
        XCTAssertTrue(ids.contains(11768))
        XCTAssertEqual(ids.count, 5001)
        for expected in Self.seed {
            XCTAssertEqual(engine.campaign(expected.id)?.name, expected.name)
        }
        XCTAssertEqual(engine.campaign(4999)?.name, "Generated campaign 4999")
        let all = engine.call("campaigns/list", ("limit", 100_000))
        XCTAssertEqual(all.data.arrayValue?.count, 5001)
        XCTAssertEqual(all.envelope["total_count"]?.int, 5001)
        XCTAssertEqual(engine.state.nextID, 11769)
    }
}
