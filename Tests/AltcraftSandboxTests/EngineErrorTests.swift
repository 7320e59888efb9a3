import AltcraftSandbox
import AltcraftWire
import XCTest

/// Error envelopes, tokens, parameter decoding and the request log.
final class EngineErrorTests: XCTestCase {
    var engine = SandboxEngine(clock: ManualSandboxClock())

    override func setUp() {
        engine = SandboxEngine(clock: ManualSandboxClock())
    }

    func testMissingTokenIs401() {
        let reply = engine.handle(path: "campaigns/get", parameters: params(("id", 15), token: nil))
        XCTAssertEqual(reply.code, 401)
        XCTAssertEqual(reply.data, .null)
        XCTAssertEqual(reply.envelope.keys, ["data", "error", "error_text"])
        XCTAssertEqual(engine.handle(path: "campaigns/get", parameters: params(("id", 15), token: "")).code, 401)
    }

    func testWrongTokenIs403AndChangesNothing() {
        let reply = engine.handle(
            path: "campaigns/deactivate", parameters: params(("id", 15), ("abort_if_running", true), token: "nope"))
        XCTAssertEqual(reply.code, 403)
        XCTAssertFalse(reply.mutated)
        XCTAssertEqual(engine.campaign(15)?.isActive, true)
        XCTAssertEqual(engine.campaign(15)?.queued, 6000)
    }

    func testBearerTokenIsAccepted() {
        let reply = engine.handle(path: "campaigns/get", parameters: params(("id", 15), token: nil), bearer: sandboxToken)
        XCTAssertEqual(reply.code, 0)
        XCTAssertEqual(engine.handle(path: "campaigns/get", parameters: params(("id", 15), token: nil), bearer: "nope").code, 403)
    }

    func testAnEngineWithAnotherTokenAcceptsOnlyThatToken() {
        var custom = SandboxEngine(token: exampleToken, clock: ManualSandboxClock())
        XCTAssertEqual(custom.handle(path: "campaigns/get", parameters: params(("id", 15), token: exampleToken)).code, 0)
        XCTAssertEqual(custom.handle(path: "campaigns/get", parameters: params(("id", 15))).code, 403)
    }

    func testUnknownCampaignIs404CampaignNotFound() {
        for path in ["campaigns/get", "campaigns/get_status", "campaigns/activate", "campaigns/deactivate", "campaigns/delete"] {
            let reply = engine.call(path, ("id", 99_999))
            XCTAssertEqual(reply.code, 404, path)
            XCTAssertEqual(reply.text, "Campaign not found", path)
            XCTAssertEqual(reply.httpStatus, 200, "API errors travel with HTTP 200 (INFERRED), \(path)")
            XCTAssertEqual(reply.data, .null, path)
        }
    }

    func testMissingIDIs400() {
        let reply = engine.call("campaigns/get")
        XCTAssertEqual(reply.code, 400)
        XCTAssertTrue(reply.text?.contains("id") ?? false, reply.text ?? "")
        XCTAssertEqual(engine.call("campaigns/deactivate", ("id", .null)).code, 400)
        XCTAssertEqual(engine.call("campaigns/deactivate", ("id", "")).code, 400)
    }

    func testNonNumericOrNonPositiveIDIs400() {
        for bad: WireValue in ["abc", 0, -3, .double(1.5), true, ["15"], ["id": 15]] {
            XCTAssertEqual(engine.call("campaigns/get", ("id", bad)).code, 400, "\(bad)")
        }
    }

    /// Issue 14: `limit 100001` was told "must be an integer of at least 1".
    func testAValueAboveItsBoundNamesTheBound() {
        let reply = engine.call("campaigns/list", ("limit", 100_001))
        XCTAssertEqual(reply.code, 400)
        XCTAssertEqual(reply.envelope["error_text"], "Parameter 'limit' must be an integer from 1 to 100000")
        XCTAssertEqual(
            engine.call("campaigns/list", ("limit", 0)).envelope["error_text"],
            "Parameter 'limit' must be an integer from 1 to 100000")
    }

    func testStringEncodedValuesAreAccepted() {
        XCTAssertEqual(engine.call("campaigns/get", ("id", "15")).data["id"], 15)
        XCTAssertEqual(engine.call("campaigns/get", ("id", " 15 ")).data["id"], 15)
        XCTAssertEqual(engine.call("campaigns/get", ("id", .double(15))).data["id"], 15)
        XCTAssertEqual(engine.call("campaigns/list", ("limit", "2")).ids, [1, 2])
        XCTAssertEqual(engine.call("campaigns/deactivate", ("id", "87"), ("abort_if_running", "1")).code, 0)
        XCTAssertEqual(engine.campaign(87)?.queued, 0)
    }

    func testABadBooleanIs400() {
        let reply = engine.call("campaigns/deactivate", ("id", 15), ("abort_if_running", "maybe"))
        XCTAssertEqual(reply.code, 400)
        XCTAssertEqual(engine.campaign(15)?.isActive, true)
    }

    func testUnknownPathIsHTTP404() {
        let reply = engine.call("campaigns/explode", ("id", 15))
        XCTAssertEqual(reply.httpStatus, 404)
        XCTAssertEqual(reply.code, 404)
        XCTAssertEqual(engine.call("/api/v1.1/scampaigns/list").httpStatus, 404)
    }

    func testEveryEndpointIsFoundWithAndWithoutPrefixAndTrailingSlash() {
        for endpoint in Endpoint.allCases {
            for path in [endpoint.path, endpoint.name, endpoint.name + "/", "/api/v1.1/" + endpoint.name] {
                let reply = engine.call(path, ("id", 404_404))
                XCTAssertEqual(reply.httpStatus, 200, path)
                XCTAssertNotEqual(reply.code, 401, path)
            }
        }
    }

    func testSuccessEnvelopeIsDataErrorErrorText() {
        let reply = engine.call("campaigns/activate", ("id", 82))
        XCTAssertEqual(reply.envelope, WireObject([("data", .null), ("error", 0), ("error_text", "Successful operation")]))
        XCTAssertTrue(reply.mutated)
        XCTAssertFalse(engine.call("campaigns/get", ("id", 82)).mutated, "reads do not count as changes")
    }

    // MARK: Request log

    func testRequestLogRecordsEndpointsAndParametersWithoutTheToken() {
        _ = engine.call("campaigns/deactivate", ("id", "15"), ("abort_if_running", "true"))
        _ = engine.handle(path: "/api/v1.1/campaigns/list/", parameters: params(("limit", 2)))
        _ = engine.handle(path: "campaigns/get", parameters: params(("id", 1), token: nil), bearer: sandboxToken)
        XCTAssertEqual(engine.requestLog.map(\.endpoint), [.deactivate, .list, .get])
        XCTAssertEqual(engine.requestLog[0].parameters, WireObject([("id", "15"), ("abort_if_running", "true")]))
        XCTAssertEqual(engine.requestLog[1].parameters, WireObject([("limit", 2)]))
        XCTAssertEqual(engine.requestLog[2].parameters, WireObject([("id", 1)]))
        XCTAssertEqual(engine.requestLog[0].time, ManualSandboxClock().now())
        for record in engine.requestLog {
            XCTAssertNil(record.parameters["token"])
            XCTAssertFalse("\(record)".contains(sandboxToken))
        }
    }

    func testRequestLogRecordsRefusedCallsButNotUnknownPaths() {
        _ = engine.handle(path: "campaigns/get", parameters: params(("id", 1), token: "wrong-token"))
        _ = engine.call("campaigns/nonsense")
        XCTAssertEqual(engine.requestLog.map(\.endpoint), [.get])
        XCTAssertFalse("\(engine.requestLog)".contains("wrong-token"), "even a wrong token is not recorded")
    }

    func testRequestLogKeepsOnlyTheNewestEntriesUpToItsLimit() {
        engine.requestLogLimit = 3
        for id in 1...5 { _ = engine.call("campaigns/get", ("id", .int(Int64(id)))) }
        XCTAssertEqual(engine.requestLog.compactMap { $0.parameters["id"]?.int }, [3, 4, 5])
        for id in 6...7 { _ = engine.call("campaigns/get", ("id", .int(Int64(id)))) }
        XCTAssertEqual(engine.requestLog.compactMap { $0.parameters["id"]?.int }, [5, 6, 7])
        engine.requestLogLimit = 2
        _ = engine.call("campaigns/get", ("id", 8))
        XCTAssertEqual(engine.requestLog.compactMap { $0.parameters["id"]?.int }, [7, 8], "a lowered limit drops the oldest")
        engine.requestLogLimit = 4
        for id in 9...11 { _ = engine.call("campaigns/get", ("id", .int(Int64(id)))) }
        XCTAssertEqual(engine.requestLog.compactMap { $0.parameters["id"]?.int }, [8, 9, 10, 11])
    }

    /// The token check reads parameters case-insensitively (`Token` authenticates), so the
    /// request log must drop every spelling of the key.
    func testRequestLogNeverHoldsTheTokenWhateverItsSpelling() {
        let reply = engine.handle(path: "campaigns/get", parameters: WireObject([("Token", .string(sandboxToken)), ("id", 15)]))
        XCTAssertEqual(reply.code, 0, "the engine accepts the token spelled Token")
        XCTAssertFalse("\(engine.requestLog)".contains(sandboxToken), "the request log leaks the token: \(engine.requestLog)")
    }
}
