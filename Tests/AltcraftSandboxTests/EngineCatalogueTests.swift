import AltcraftSandbox
import XCTest

/// Clone, delete, get, lists and paging, and the log.
final class EngineCatalogueTests: XCTestCase {
    var clock = ManualSandboxClock()
    var engine = SandboxEngine(clock: ManualSandboxClock())

    override func setUp() {
        clock = ManualSandboxClock()
        engine = SandboxEngine(clock: clock)
    }

    static let seedIDs = [1, 2, 3, 5, 7, 12, 14, 15, 20, 21, 22, 30, 31, 40, 78, 82, 87, 118, 179, 4727, 11768]

    // MARK: Clone

    func testCloneNamesTheCopyCloneOfNameByDefault() {
        let reply = engine.call("campaigns/clone", ("id", 1))
        XCTAssertEqual(reply.code, 0)
        let id = try? XCTUnwrap(reply.data["saved_id"]?.int)
        XCTAssertEqual(id, 11769)
        let record = engine.call("campaigns/get", ("id", .int(Int64(id ?? 0)))).data
        XCTAssertEqual(record["name"], "Clone of New campaign1")
        XCTAssertEqual(record["type"], "regular")
        XCTAssertEqual(record["is_active"], false)
        XCTAssertEqual(record["ui_tags"], ["tag1", "tag2"])
    }

    func testCloneUsesTheGivenName() {
        let reply = engine.call("campaigns/clone", ("id", 1), ("name", "Clone"))
        XCTAssertEqual(reply.envelope.keys, ["data", "error", "error_text"])
        let id = reply.data["saved_id"]?.int ?? 0
        XCTAssertEqual(engine.campaign(id)?.name, "Clone")
        let unnamed = engine.call("campaigns/clone", ("id", 1), ("name", "")).data["saved_id"]?.int ?? 0
        XCTAssertEqual(engine.campaign(unnamed)?.name, "Clone of New campaign1", "an empty name means the default")
    }

    func testClonesGetNewIncreasingIDsThatAreNeverReused() {
        var ids: [Int] = []
        for _ in 0..<3 { ids.append(engine.call("campaigns/clone", ("id", 82)).data["saved_id"]?.int ?? 0) }
        XCTAssertEqual(ids, [11769, 11770, 11771])
        XCTAssertEqual(engine.call("campaigns/delete", ("id", 11771)).code, 0)
        XCTAssertEqual(engine.call("campaigns/clone", ("id", 82)).data["saved_id"]?.int, 11772)
    }

    func testCloneOfASendingCampaignIsInactiveWithAnEmptyQueueAndItsOwnLog() {
        clock.advance(by: 10)
        let id = engine.call("campaigns/clone", ("id", 15)).data["saved_id"]?.int ?? 0
        let copy = engine.campaign(id)
        XCTAssertEqual(copy?.isActive, false)
        XCTAssertEqual(copy?.queued, 0)
        XCTAssertEqual(copy?.sent, 0)
        XCTAssertEqual(copy?.kind, .regular)
        XCTAssertEqual(engine.status(id), "Inactive")
        let log = engine.logEntries(id)
        XCTAssertEqual(log.count, 1)
        XCTAssertEqual(log.first?["message"], "Campaign created")
        XCTAssertEqual(log.first?["value"], "cloned from 15")
        XCTAssertEqual(engine.campaign(15)?.queued, 5500, "the source keeps sending")
    }

    func testCloneOfAnUnknownCampaignIs404() {
        let reply = engine.call("campaigns/clone", ("id", 99_999))
        XCTAssertEqual(reply.code, 404)
        XCTAssertEqual(reply.text, "Campaign not found")
        XCTAssertEqual(engine.campaignIDs, Self.seedIDs)
    }

    // MARK: Delete

    func testDeleteRemovesAnInactiveCampaign() {
        let reply = engine.call("campaigns/delete", ("id", 82))
        XCTAssertEqual(reply.code, 0)
        XCTAssertEqual(reply.data, .null)
        XCTAssertNil(engine.campaign(82))
        XCTAssertEqual(engine.call("campaigns/get", ("id", 82)).code, 404)
        XCTAssertEqual(engine.call("campaigns/get_status", ("id", 82)).code, 404)
        let list = engine.call("campaigns/list")
        XCTAssertFalse(list.ids.contains(82))
        XCTAssertEqual(list.envelope["total_count"]?.int, 20)
        XCTAssertEqual(engine.call("campaigns/delete", ("id", 82)).code, 404, "a second delete finds nothing")
    }

    func testDeleteRefusesAnActiveCampaign() {
        let reply = engine.call("campaigns/delete", ("id", 1))
        XCTAssertEqual(reply.code, 400)
        XCTAssertNotNil(engine.campaign(1))
    }

    func testDeleteRefusesACampaignThatIsStillSendingItsQueue() {
        _ = engine.call("campaigns/deactivate", ("id", 15))
        XCTAssertEqual(engine.status(15), "Stopping")
        XCTAssertEqual(engine.call("campaigns/delete", ("id", 15)).code, 400)
        clock.advance(by: 200)
        XCTAssertEqual(engine.call("campaigns/delete", ("id", 15)).code, 0, "deletable once the queue is empty")
    }

    // MARK: Get

    func testGetReturnsTheFullRecord() {
        let reply = engine.call("campaigns/get", ("id", 118))
        XCTAssertEqual(reply.code, 0)
        let record = reply.data
        for key in [
            "id", "name", "description", "type", "updated_user", "update_time", "is_active", "is_completed", "status", "data_id",
            "data_type", "content", "send_channel", "channel", "resource_id", "subid", "for_confirm", "ui_tags", "groups",
            "virtual_sender_id",
        ] {
            XCTAssertNotNil(record[key], "missing \(key)")
        }
        XCTAssertEqual(record["id"], 118)
        XCTAssertEqual(record["update_time"], "2024-05-31T10:00:00.000Z")
        XCTAssertEqual(record["content"]?.arrayValue?.count, 1)
        XCTAssertNotNil(record["content"]?.arrayValue?.first?["message_id"]?.intValue)
        XCTAssertEqual(record["send_channel"], "push")
        XCTAssertNotNil(record["providers"], "push campaigns list their providers")
    }

    func testGetShowsTheUpdateTimeOfTheLastChange() {
        clock.advance(by: 90)
        _ = engine.call("campaigns/activate", ("id", 82))
        XCTAssertEqual(engine.call("campaigns/get", ("id", 82)).data["update_time"], "2024-06-01T10:01:30.000Z")
    }

    func testGetOfATriggerCampaignNamesItsTriggerType() {
        let record = engine.call("campaigns/get", ("id", 2)).data
        XCTAssertEqual(record["type"], "trigger")
        XCTAssertEqual(record["trigger_type"], "api_call")
        XCTAssertNil(engine.call("campaigns/get", ("id", 1)).data["trigger_type"])
    }

    func testTypedGetsAnswerCampaignsOfTheirOwnType() {
        XCTAssertEqual(engine.call("campaigns/broadcasts/get", ("id", "87")).data["name"], "Weekly digest")
        XCTAssertEqual(engine.call("campaigns/regulars/get", ("id", 15)).data["name"], "Regular campaign 1")
        let trigger = engine.call("campaigns/triggers/get", ("id", 12)).data
        XCTAssertEqual(trigger["name"], "New trigger campaign 3")
        XCTAssertEqual(trigger["trigger_type"], "api_call")
    }

    func testTypedGetsRefuseCampaignsOfAnotherTypeWith400() {
        for (path, id) in [("campaigns/broadcasts/get", 15), ("campaigns/regulars/get", 82), ("campaigns/triggers/get", 15)] {
            let reply = engine.call(path, ("id", .int(Int64(id))))
            XCTAssertEqual(reply.code, 400, path)
            XCTAssertEqual(reply.data, .null, path)
        }
        XCTAssertEqual(engine.call("campaigns/broadcasts/get", ("id", 99_999)).code, 404)
    }

    // MARK: Lists

    func testListAnswersEverySeedCampaignInIDOrderWithTheSummaryFields() {
        let reply = engine.call("campaigns/list")
        XCTAssertEqual(reply.code, 0)
        XCTAssertEqual(reply.ids, Self.seedIDs)
        XCTAssertEqual(reply.envelope.keys, ["data", "error", "error_text", "next_from_id", "total_count"])
        XCTAssertEqual(reply.envelope["total_count"]?.int, 21)
        XCTAssertEqual(reply.envelope["next_from_id"]?.int, 11769)
        let first = reply.rows[0]
        XCTAssertEqual(first["name"], "New campaign1")
        XCTAssertEqual(first["type"], "regular")
        XCTAssertEqual(first["is_active"], true)
        XCTAssertEqual(first["ui_tags"], ["tag1", "tag2"])
        XCTAssertEqual(first["groups"], [["id": 0, "name": "main"]])
        XCTAssertEqual(first["for_confirm"], false)
    }

    func testListFiltersByType() {
        XCTAssertEqual(engine.call("campaigns/list", ("type", "trigger")).ids, [2, 12, 14, 30, 31])
        XCTAssertEqual(engine.call("campaigns/list", ("type", "regular")).ids, [1, 15, 40, 78, 118])
        let broadcasts = engine.call("campaigns/list", ("type", "broadcast"))
        XCTAssertEqual(broadcasts.ids, [3, 5, 7, 20, 21, 22, 82, 87, 179, 4727, 11768])
        XCTAssertEqual(broadcasts.envelope["total_count"]?.int, 11)
        XCTAssertEqual(engine.call("campaigns/list", ("type", "splittest")).code, 400)
    }

    func testListFiltersByActiveFlag() {
        XCTAssertEqual(engine.call("campaigns/list", ("is_active", true)).ids, [1, 2, 12, 14, 15, 20, 21, 22, 30, 31, 87, 11768])
        XCTAssertEqual(engine.call("campaigns/list", ("is_active", "false")).ids, [3, 5, 7, 40, 78, 82, 118, 179, 4727])
    }

    func testListFiltersByTagsAnyOfThem() {
        XCTAssertEqual(engine.call("campaigns/list", ("ui_tags", ["spring-2024"])).ids, [20, 21, 22])
        XCTAssertEqual(engine.call("campaigns/list", ("ui_tags", ["B2C", "newsletter"])).ids, [15, 40, 78, 87])
        XCTAssertEqual(engine.call("campaigns/list", ("ui_tags", "sale")).ids, [11768], "a lone tag is a one-element list")
        XCTAssertEqual(engine.call("campaigns/list", ("ui_tags", ["no-such-tag"])).ids, [])
    }

    func testListFiltersByGroupNameAndGroupID() {
        XCTAssertEqual(engine.call("campaigns/list", ("groups", ["subaccount"])).ids, [2, 14, 15, 78])
        XCTAssertEqual(engine.call("campaigns/list", ("groups_id", [1])).ids, [2, 14, 15, 78])
        XCTAssertEqual(engine.call("campaigns/list", ("groups_id", ["1"])).ids, [2, 14, 15, 78])
        XCTAssertEqual(engine.call("campaigns/list", ("groups_id", [0, 1])).ids.count, 21)
        XCTAssertEqual(engine.call("campaigns/list", ("groups", ["main"])).ids.count, 17)
    }

    func testListCombinesFilters() {
        let reply = engine.call(
            "campaigns/list", ("type", "broadcast"), ("is_active", true), ("ui_tags", ["spring-2024", "sale"]))
        XCTAssertEqual(reply.ids, [20, 21, 22, 11768])
        XCTAssertEqual(reply.envelope["total_count"]?.int, 4)
    }

    func testListPagingStartsAtFromIDInclusiveAndStopsAtLimit() {
        let reply = engine.call("campaigns/list", ("from_id", 5), ("limit", 2))
        XCTAssertEqual(reply.ids, [5, 7])
        XCTAssertEqual(reply.envelope["next_from_id"]?.int, 8, "as in the reference's example")
        XCTAssertEqual(reply.envelope["total_count"]?.int, 21, "total_count ignores paging")
        XCTAssertEqual(engine.call("campaigns/list", ("from_id", 4), ("limit", 2)).ids, [5, 7], "from_id need not exist")
        XCTAssertEqual(engine.call("campaigns/list", ("limit", 2)).ids, [1, 2], "from_id defaults to 1")
    }

    func testListPageAfterTheLastCampaignIsEmpty() {
        let reply = engine.call("campaigns/list", ("from_id", 11769))
        XCTAssertEqual(reply.ids, [])
        XCTAssertEqual(reply.envelope["total_count"]?.int, 21)
        XCTAssertEqual(reply.envelope["next_from_id"]?.int, 11769)
    }

    func testWalkingPagesWithNextFromIDVisitsEveryCampaignExactlyOnce() {
        for limit in [1, 2, 4, 7, 21, 1000] {
            var seen: [Int] = []
            var from: Int64 = 1
            var pages = 0
            while pages < 100 {
                let reply = engine.call("campaigns/list", ("from_id", .int(from)), ("limit", .int(Int64(limit))))
                XCTAssertEqual(reply.code, 0)
                XCTAssertLessThanOrEqual(reply.ids.count, limit)
                if reply.ids.isEmpty { break }
                seen += reply.ids
                from = Int64(reply.envelope["next_from_id"]?.int ?? 0)
                pages += 1
            }
            XCTAssertEqual(seen, Self.seedIDs, "limit \(limit)")
        }
    }

    func testWalkingFilteredPagesVisitsEveryMatchExactlyOnce() {
        var seen: [Int] = []
        var from: Int64 = 1
        for _ in 0..<20 {
            let reply = engine.call("campaigns/list", ("type", "broadcast"), ("from_id", .int(from)), ("limit", 3))
            XCTAssertEqual(reply.envelope["total_count"]?.int, 11)
            if reply.ids.isEmpty { break }
            seen += reply.ids
            from = Int64(reply.envelope["next_from_id"]?.int ?? 0)
        }
        XCTAssertEqual(seen, [3, 5, 7, 20, 21, 22, 82, 87, 179, 4727, 11768])
    }

    func testListRejectsBadPagingValues() {
        XCTAssertEqual(engine.call("campaigns/list", ("limit", 0)).code, 400)
        XCTAssertEqual(engine.call("campaigns/list", ("limit", "many")).code, 400)
        XCTAssertEqual(engine.call("campaigns/list", ("from_id", -1)).code, 400)
    }

    func testTypedListsAnswerTheirTypeWithTotalCountButNoNextFromID() {
        let broadcasts = engine.call("campaigns/broadcasts/list", ("limit", 2))
        XCTAssertEqual(broadcasts.ids, [3, 5])
        XCTAssertEqual(broadcasts.envelope.keys, ["data", "error", "error_text", "total_count"])
        XCTAssertEqual(broadcasts.envelope["total_count"]?.int, 11)

        let regulars = engine.call("campaigns/regulars/list/")
        XCTAssertEqual(regulars.ids, [1, 15, 40, 78, 118])
        XCTAssertNil(regulars.envelope["next_from_id"])
        XCTAssertEqual(regulars.rows.compactMap { $0["type"]?.stringValue }, Array(repeating: "regular", count: 5))

        let regularsFrom = engine.call("campaigns/regulars/list", ("from_id", 15), ("limit", 2))
        XCTAssertEqual(regularsFrom.ids, [15, 40])
        XCTAssertEqual(regularsFrom.envelope["total_count"]?.int, 5)
    }

    func testTypedListIgnoresATypeParameterOfAnotherType() {
        XCTAssertEqual(engine.call("campaigns/regulars/list", ("type", "broadcast")).ids, [1, 15, 40, 78, 118])
    }

    func testTriggerListShowsTheTriggerTypeAsType() {
        let triggers = engine.call("campaigns/triggers/list/")
        XCTAssertEqual(triggers.ids, [2, 12, 14, 30, 31])
        XCTAssertEqual(
            triggers.rows.compactMap { $0["type"]?.stringValue }, ["api_call", "api_call", "api_call", "subscribe", "action"])
        XCTAssertNil(triggers.envelope["next_from_id"])
        XCTAssertEqual(triggers.envelope["total_count"]?.int, 5)
        XCTAssertEqual(triggers.rows[2]["groups"], [["id": 1, "name": "subaccount"]])
        XCTAssertNotNil(triggers.rows[2]["providers"], "campaign 14 is a push campaign")
    }

    func testTypedListsFilterByActiveFlagAndTags() {
        XCTAssertEqual(engine.call("campaigns/broadcasts/list", ("is_active", false)).ids, [3, 5, 7, 82, 179, 4727])
        XCTAssertEqual(engine.call("campaigns/triggers/list", ("ui_tags", ["onboarding"])).ids, [30])
    }

    // MARK: Log

    func testLogAnswersEntriesOldestFirstWithTotalCount() {
        let reply = engine.call("campaigns/log_v2", ("id", 15))
        XCTAssertEqual(reply.code, 0)
        XCTAssertEqual(reply.envelope.keys, ["data", "error", "error_text", "total_count"])
        XCTAssertEqual(
            reply.rows.compactMap { $0["message"]?.stringValue }, ["Campaign created", "Campaign activated", "Begin campaign"])
        XCTAssertEqual(reply.envelope["total_count"]?.int, 3)
        let begin = reply.rows[2]
        XCTAssertEqual(begin.objectValue?.keys, ["level", "message", "time", "state", "value"])
        XCTAssertEqual(begin["time"], "2024-06-01T10:00:00.000Z")
        XCTAssertEqual(begin["state"], "start")
        XCTAssertEqual(begin["level"], "INFO")
    }

    func testLogLimitCutsTheAnswerButNotTheTotalCount() {
        let reply = engine.call("campaigns/log_v2", ("id", 15), ("limit", 2))
        XCTAssertEqual(reply.rows.count, 2)
        XCTAssertEqual(reply.rows.first?["message"], "Campaign created")
        XCTAssertEqual(reply.envelope["total_count"]?.int, 3)
        XCTAssertEqual(engine.call("campaigns/log_v2", ("id", 15), ("limit", 0)).code, 400)
    }

    func testLogFromTimeIsInclusiveAndAcceptsOffsetsAndNoFraction() {
        let from = engine.call("campaigns/log_v2", ("id", 15), ("from_time", "2024-06-01T09:00:00.000Z"))
        XCTAssertEqual(from.rows.compactMap { $0["message"]?.stringValue }, ["Campaign activated", "Begin campaign"])
        XCTAssertEqual(from.envelope["total_count"]?.int, 2, "total_count counts the entries from from_time")
        let offset = engine.call("campaigns/log_v2", ("id", 15), ("from_time", "2024-06-01T12:30:00+03:00"))
        XCTAssertEqual(offset.rows.compactMap { $0["message"]?.stringValue }, ["Begin campaign"])
        let limited = engine.call("campaigns/log_v2", ("id", 15), ("from_time", "2024-05-01T00:00:00Z"), ("limit", 1))
        XCTAssertEqual(limited.rows.count, 1)
        XCTAssertEqual(limited.envelope["total_count"]?.int, 3)
        let oneDigit = engine.call("campaigns/log_v2", ("id", 15), ("from_time", "2024-06-01T08:59:59.5Z"))
        XCTAssertEqual(oneDigit.envelope["total_count"]?.int, 2, "a one-digit fraction, as in the reference's update_time")
        let reference = engine.call("campaigns/log_v2", ("id", 15), ("from_time", "2018-08-10T00:00:00.000Z"))
        XCTAssertEqual(reference.envelope["total_count"]?.int, 3, "the reference's example from_time")
        let future = engine.call("campaigns/log_v2", ("id", 15), ("from_time", "2030-01-01T00:00:00.000Z"))
        XCTAssertEqual(future.rows.count, 0)
        XCTAssertEqual(future.envelope["total_count"]?.int, 0)
    }

    func testLogWithABadFromTimeIs400() {
        for bad in ["yesterday", "2024-06-01", "2024-13-01T00:00:00Z"] {
            let reply = engine.call("campaigns/log_v2", ("id", 15), ("from_time", .string(bad)))
            XCTAssertEqual(reply.code, 400, bad)
            XCTAssertEqual(reply.data, .null, bad)
        }
    }

    func testLogOfAnUnknownCampaignIs404() {
        XCTAssertEqual(engine.call("campaigns/log_v2", ("id", 404_404)).code, 404)
    }

    func testLogOfTheReferenceExampleAnswersTwoEntries() {
        let reply = engine.call("campaigns/log_v2", ("id", 1), ("limit", 2))
        XCTAssertEqual(reply.code, 0)
        XCTAssertEqual(reply.rows.count, 2)
    }
}
