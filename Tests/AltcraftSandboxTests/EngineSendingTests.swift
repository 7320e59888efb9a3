import AltcraftSandbox
import AltcraftWire
import XCTest

/// Activation, launches and deactivation, with the sending queue moved by a manual clock.
final class EngineSendingTests: XCTestCase {
    var clock = ManualSandboxClock()
    var engine = SandboxEngine(clock: ManualSandboxClock())

    override func setUp() {
        clock = ManualSandboxClock()
        engine = SandboxEngine(clock: clock)
    }

    private func messages(_ id: Int) -> [String] {
        engine.logEntries(id).compactMap { $0["message"]?.stringValue }
    }

    private func entry(_ id: Int, _ message: String) -> WireValue? {
        engine.logEntries(id).last { $0["message"]?.stringValue == message }
    }

    // MARK: Seed queue

    func testSeedQueueDrainsAtTheSendRateAsTheClockAdvances() {
        XCTAssertEqual(engine.campaign(15)?.sent, 0)
        clock.advance(by: 10)
        engine.advance()
        XCTAssertEqual(engine.campaign(15)?.sent, 500)  // 50 messages per second
        XCTAssertEqual(engine.campaign(15)?.queued, 5500)
        clock.advance(by: 110)
        XCTAssertEqual(engine.status(15), "Completed")
        XCTAssertEqual(engine.campaign(15)?.sent, 6000)
        XCTAssertEqual(engine.call("campaigns/get_status", ("id", 15)).data["is_active"], true)
    }

    func testNothingIsSentWhileTheClockStandsStill() {
        for _ in 0..<5 { _ = engine.call("campaigns/get_status", ("id", 15)) }
        XCTAssertEqual(engine.campaign(15)?.sent, 0)
    }

    // MARK: Deactivate

    func testDeactivateWithAbortDropsTheQueueAtOnce() {
        clock.advance(by: 10)
        let reply = engine.call("campaigns/deactivate", ("id", 15), ("abort_if_running", true))
        XCTAssertEqual(reply.code, 0)
        XCTAssertEqual(reply.data, .null)
        XCTAssertEqual(reply.text, "Successful operation")
        let status = engine.call("campaigns/get_status", ("id", 15)).data
        XCTAssertEqual(status["is_active"], false)
        XCTAssertNotEqual(status["status"], "Sending")
        XCTAssertNotEqual(status["status"], "Stopping")
        XCTAssertEqual(engine.campaign(15)?.queued, 0)
        XCTAssertEqual(engine.campaign(15)?.sent, 500)
    }

    func testDeactivateWithAbortLogsAWarningNamingTheDroppedCount() {
        clock.advance(by: 10)
        _ = engine.call("campaigns/deactivate", ("id", 15), ("abort_if_running", true))
        let aborted = entry(15, "Sending aborted")
        XCTAssertEqual(aborted?["level"], "WARNING")
        XCTAssertTrue(aborted?["value"]?.stringValue?.contains("5500") ?? false, "\(String(describing: aborted))")
        XCTAssertEqual(messages(15).suffix(2), ["Sending aborted", "Campaign deactivated"])
    }

    func testDeactivateWithAbortSendsNothingMoreAsTimePasses() {
        clock.advance(by: 10)
        _ = engine.call("campaigns/deactivate", ("id", 15), ("abort_if_running", true))
        let sent = engine.campaign(15)!.sent
        clock.advance(by: 3600)
        engine.advance()
        _ = engine.call("campaigns/get_status", ("id", 15))
        XCTAssertEqual(engine.campaign(15)!.sent, sent)
        XCTAssertEqual(engine.status(15), "Inactive")
        XCTAssertFalse(messages(15).contains("Campaign finished"))
    }

    func testDeactivateWithoutAbortSwitchesOffAtOnceButKeepsSending() {
        clock.advance(by: 10)
        XCTAssertEqual(engine.call("campaigns/deactivate", ("id", 15)).code, 0)
        var status = engine.call("campaigns/get_status", ("id", 15)).data
        XCTAssertEqual(status["is_active"], false)
        XCTAssertEqual(status["status"], "Stopping")
        XCTAssertEqual(status["is_completed"], false)
        XCTAssertEqual(engine.campaign(15)?.sent, 500)

        clock.advance(by: 20)
        XCTAssertEqual(engine.status(15), "Stopping")
        XCTAssertEqual(engine.campaign(15)?.sent, 1500)

        clock.advance(by: 1000)
        status = engine.call("campaigns/get_status", ("id", 15)).data
        XCTAssertEqual(status["status"], "Completed")
        XCTAssertEqual(status["is_completed"], true)
        XCTAssertEqual(status["is_active"], false)
        XCTAssertEqual(engine.campaign(15)?.sent, 6000)
        XCTAssertEqual(engine.campaign(15)?.queued, 0)
    }

    func testDeactivateWithoutAbortLogsTheQueuedCountThenTheEndOfTheSend() {
        clock.advance(by: 10)
        _ = engine.call("campaigns/deactivate", ("id", 15), ("abort_if_running", false))
        clock.advance(by: 1000)
        let log = engine.logEntries(15)
        let names = log.compactMap { $0["message"]?.stringValue }
        XCTAssertEqual(
            names,
            [
                "Campaign created", "Campaign activated", "Begin campaign", "Campaign deactivated", "Messages sent",
                "Campaign finished",
                "Total time spent",
            ])
        let deactivated = log[3]
        XCTAssertTrue(deactivated["value"]?.stringValue?.contains("5500") ?? false, "\(deactivated)")
        XCTAssertEqual(log[2]["state"], "start")
        XCTAssertEqual(log[5]["state"], "end")
        XCTAssertEqual(log[5]["level"], "INFO")
        // 6000 messages at 50 per second: the send finished 120 s after it began.
        XCTAssertEqual(log[5]["time"], .string("2024-06-01T10:02:00.000Z"))
        XCTAssertEqual(log[6]["value"], "120.000s")
        XCTAssertEqual(log[4]["value"], "6000", "'Messages sent' counts the whole run, not the last step")
        XCTAssertFalse(names.contains("Sending aborted"))
    }

    func testRepeatingADeactivateWithoutAbortWhileDrainingChangesNothing() {
        _ = engine.call("campaigns/deactivate", ("id", 15))
        let before = engine.logEntries(15).count
        clock.advance(by: 5)
        XCTAssertEqual(engine.call("campaigns/deactivate", ("id", 15)).code, 0)
        XCTAssertEqual(engine.logEntries(15).count, before)
        XCTAssertEqual(engine.status(15), "Stopping")
    }

    func testDeactivateWithAbortAfterADeactivateWithoutAbortDropsWhatIsLeft() {
        _ = engine.call("campaigns/deactivate", ("id", 15))
        clock.advance(by: 20)
        XCTAssertEqual(engine.call("campaigns/deactivate", ("id", 15), ("abort_if_running", true)).code, 0)
        XCTAssertEqual(engine.campaign(15)?.sent, 1000)
        XCTAssertEqual(engine.campaign(15)?.queued, 0)
        XCTAssertEqual(engine.status(15), "Inactive")
        XCTAssertEqual(entry(15, "Sending aborted")?["value"], "5000 queued messages dropped")
    }

    func testDeactivateOfAnInactiveCampaignSucceedsAndChangesNothing() {
        let before = engine.campaign(82)
        let reply = engine.call("campaigns/deactivate", ("id", 82), ("abort_if_running", true))
        XCTAssertEqual(reply.code, 0)
        XCTAssertFalse(reply.mutated)
        XCTAssertEqual(engine.campaign(82), before)
    }

    func testDeactivateAcceptsTheStringEncodedValuesOfTheReferenceExample() {
        let reply = engine.call("campaigns/deactivate", ("id", "15"), ("abort_if_running", "true"))
        XCTAssertEqual(reply.code, 0)
        XCTAssertEqual(engine.campaign(15)?.queued, 0)
        XCTAssertEqual(engine.campaign(15)?.isActive, false)
    }

    func testReactivatingAStoppingCampaignResumesSending() {
        _ = engine.call("campaigns/deactivate", ("id", 15))
        XCTAssertEqual(engine.status(15), "Stopping")
        XCTAssertEqual(engine.call("campaigns/activate", ("id", 15)).code, 0)
        XCTAssertEqual(engine.status(15), "Sending")
    }

    // MARK: Activate

    func testActivateWithoutRunNowIsIdempotent() {
        let before = engine.campaign(1)!
        let reply = engine.call("campaigns/activate", ("id", 1))
        XCTAssertEqual(reply.code, 0)
        XCTAssertEqual(reply.data, .null)
        XCTAssertEqual(engine.campaign(1), before, "activating an active campaign changes nothing")

        XCTAssertEqual(engine.call("campaigns/activate", ("id", 82)).code, 0)
        let once = engine.campaign(82)!
        XCTAssertTrue(once.isActive)
        XCTAssertEqual(once.queued, 0, "activate without run_now does not send")
        XCTAssertEqual(engine.status(82), "Active")
        XCTAssertEqual(engine.call("campaigns/activate", ("id", 82)).code, 0)
        XCTAssertEqual(engine.campaign(82), once)
        XCTAssertEqual(messages(82).filter { $0 == "Campaign activated" }.count, 1)
    }

    func testActivateWithRunNowQueuesTheWholeAudience() {
        let reply = engine.call("campaigns/activate", ("id", 82), ("run_now", true))
        XCTAssertEqual(reply.code, 0)
        XCTAssertEqual(engine.campaign(82)?.queued, 4000)
        XCTAssertEqual(engine.status(82), "Sending")
        let begin = entry(82, "Begin campaign")
        XCTAssertEqual(begin?["state"], "start")
        XCTAssertEqual(begin?["value"], "4000 messages queued")
        clock.advance(by: 80)  // 4000 at 50 per second
        XCTAssertEqual(engine.status(82), "Completed")
        XCTAssertEqual(engine.campaign(82)?.sent, 4000)
        XCTAssertEqual(engine.call("campaigns/get_status", ("id", 82)).data["is_active"], true)
    }

    func testActivateWithRunNowRespectsOverrideLimit() {
        let reply = engine.call("campaigns/activate", ("id", 82), ("run_now", true), ("override_limit", 100))
        XCTAssertEqual(reply.code, 0)
        XCTAssertEqual(engine.campaign(82)?.queued, 100)
        clock.advance(by: 2)
        XCTAssertEqual(engine.status(82), "Completed")
        XCTAssertEqual(engine.campaign(82)?.sent, 100)
        XCTAssertEqual(entry(82, "Messages sent")?["value"], "100")
        XCTAssertEqual(entry(82, "Total time spent")?["value"], "2.000s")
    }

    func testActivateWithRunNowNamesTheOverriddenAudienceInTheLog() {
        let reply = engine.call(
            "campaigns/activate/", ("id", 82), ("override_source_id", 1), ("override_source_type", "list"), ("run_now", true))
        XCTAssertEqual(reply.code, 0)
        XCTAssertEqual(entry(82, "Begin campaign")?["value"], "4000 messages queued; audience list 1")
    }

    func testActivateIgnoresOverridesWithoutRunNowAndLogsIt() {
        let reply = engine.call(
            "campaigns/activate", ("id", 82), ("override_source_id", 2550), ("override_source_type", "segment"),
            ("override_limit", 10))
        XCTAssertEqual(reply.code, 0)
        XCTAssertEqual(engine.campaign(82)?.queued, 0)
        XCTAssertTrue(engine.campaign(82)!.isActive)
        let warning = entry(82, "Audience override ignored without run_now")
        XCTAssertEqual(warning?["level"], "WARNING")
    }

    func testActivateWithRunNowOnATriggerCampaignIs400AndChangesNothing() {
        _ = engine.call("campaigns/deactivate", ("id", 12))
        let before = engine.campaign(12)
        let reply = engine.call("campaigns/activate", ("id", 12), ("run_now", true))
        XCTAssertEqual(reply.code, 400)
        XCTAssertEqual(reply.httpStatus, 200)
        XCTAssertEqual(reply.data, .null)
        XCTAssertEqual(engine.campaign(12), before)
        XCTAssertEqual(engine.call("campaigns/activate", ("id", 2), ("run_now", "true")).code, 400)
    }

    func testActivateWithRunNowWhileSendingIs400() {
        let reply = engine.call("campaigns/activate", ("id", 15), ("run_now", true))
        XCTAssertEqual(reply.code, 400)
        XCTAssertEqual(engine.campaign(15)?.queued, 6000)
    }

    func testActivateRejectsAnUnknownOverrideSourceType() {
        XCTAssertEqual(
            engine.call("campaigns/activate", ("id", 82), ("run_now", true), ("override_source_type", "table")).code, 400)
        XCTAssertEqual(engine.campaign(82)?.isActive, false)
    }

    func testActivateWithRunNowAfterACompletedSendStartsANewOne() {
        _ = engine.call("campaigns/activate", ("id", 82), ("run_now", true), ("override_limit", 50))
        clock.advance(by: 5)
        XCTAssertEqual(engine.status(82), "Completed")
        XCTAssertEqual(engine.call("campaigns/activate", ("id", 82), ("run_now", true), ("override_limit", 50)).code, 0)
        XCTAssertEqual(engine.status(82), "Sending")
        clock.advance(by: 5)
        engine.advance()
        XCTAssertEqual(engine.campaign(82)?.sent, 100)
        XCTAssertEqual(messages(82).filter { $0 == "Begin campaign" }.count, 2)
        XCTAssertEqual(messages(82).filter { $0 == "Campaign finished" }.count, 2)
    }

    // MARK: broadcasts/start, regulars/start

    func testBroadcastStartNeedsAnActiveCampaign() {
        let refused = engine.call("campaigns/broadcasts/start", ("id", 82))
        XCTAssertEqual(refused.code, 400)
        XCTAssertEqual(engine.campaign(82)?.queued, 0)
        _ = engine.call("campaigns/activate", ("id", 82))
        XCTAssertEqual(engine.call("campaigns/broadcasts/start", ("id", 82)).code, 0)
        XCTAssertEqual(engine.status(82), "Sending")
        XCTAssertEqual(engine.campaign(82)?.queued, 4000)
    }

    func testBroadcastStartWhileSendingIs400() {
        XCTAssertEqual(engine.call("campaigns/broadcasts/start", ("id", 87)).code, 400)
        XCTAssertEqual(engine.campaign(87)?.queued, 12_000)
    }

    func testBroadcastStartOnARegularCampaignIs400() {
        let reply = engine.call("campaigns/broadcasts/start", ("id", 1))
        XCTAssertEqual(reply.code, 400)
        XCTAssertEqual(engine.campaign(1)?.queued, 0)
    }

    func testBroadcastStartRespectsOverrideLimit() {
        _ = engine.call("campaigns/activate", ("id", 82))
        XCTAssertEqual(engine.call("campaigns/broadcasts/start", ("id", 82), ("override_limit", 7)).code, 0)
        XCTAssertEqual(engine.campaign(82)?.queued, 7)
    }

    func testRegularStartNeedsAnActiveRegularCampaignThatIsNotSending() {
        XCTAssertEqual(engine.call("campaigns/regulars/start", ("id", 40)).code, 400, "inactive")
        XCTAssertEqual(engine.call("campaigns/regulars/start", ("id", 82)).code, 400, "a broadcast")
        XCTAssertEqual(engine.call("campaigns/regulars/start", ("id", 15)).code, 400, "already sending")
        XCTAssertEqual(engine.call("campaigns/regulars/start", ("id", 1)).code, 0)
        XCTAssertEqual(engine.status(1), "Sending")
        XCTAssertEqual(engine.call("campaigns/regulars/start", ("id", 99_999)).code, 404)
    }

    func testTotalTimeUnderASecondIsShownInMilliseconds() {
        _ = engine.call("campaigns/activate", ("id", 82), ("run_now", true), ("override_limit", 10))
        clock.advance(by: 1)
        XCTAssertEqual(engine.status(82), "Completed")
        XCTAssertEqual(entry(82, "Total time spent")?["value"], "200.000ms")
        XCTAssertEqual(entry(82, "Campaign finished")?["time"], "2024-06-01T10:00:00.200Z")
    }

    func testOverrideLimitZeroMeansNoLimit() {
        _ = engine.call("campaigns/activate", ("id", 82))
        // The reference's records show `limit: 0` for "no limit".
        XCTAssertEqual(engine.call("campaigns/broadcasts/start", ("id", 82), ("override_limit", 0)).code, 0)
        XCTAssertEqual(engine.campaign(82)?.queued, 4000)
    }
}
