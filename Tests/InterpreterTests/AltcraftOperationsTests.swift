import AltcraftAPI
import AltcraftSandbox
import AltcraftWire
import CampaignScript
import CopsShell
import XCTest

/// The adapter: client errors sorted into the language's classes, wire values into values.
final class AltcraftOperationsTests: XCTestCase {
    func testClientErrorsAreSortedForExitStatuses() {
        let cases: [(String, AltcraftError.Kind, OperationError.Kind, ExitStatus)] = [
            ("token refused", .api(code: 403, text: "No access"), .authentication, .authentication),
            ("token missing", .api(code: 401, text: "API token required"), .authentication, .authentication),
            ("HTTP 401", .httpStatus(401, apiCode: nil, apiText: nil), .authentication, .authentication),
            ("not found", .api(code: 404, text: "Campaign not found"), .notFound, .failure),
            ("bad request", .api(code: 400, text: "Campaign 20 is active"), .api, .failure),
            ("refused connection", .unreachable("connection refused"), .unreachable, .unreachable),
            ("timed out", .timedOut(seconds: 30, server: nil), .unreachable, .unreachable),
            ("server error", .httpStatus(503, apiCode: nil, apiText: nil), .serverError, .unreachable),
            ("server error with an envelope", .httpStatus(500, apiCode: 1, apiText: "oops"), .serverError, .unreachable),
            ("rate limited after retries", .httpStatus(429, apiCode: nil, apiText: nil), .unreachable, .unreachable),
            ("untrusted certificate", .tls("https://h: the server's certificate is not trusted"), .tls, .unreachable),
            ("cancelled", .cancelled, .cancelled, .interrupted),
            ("garbage", .decoding("expected an envelope"), .other, .failure),
        ]
        for (name, kind, expected, status) in cases {
            let error = AltcraftOperations.operationError(AltcraftError(kind, endpoint: .deactivate, campaignID: 15))
            XCTAssertEqual(error.kind, expected, name)
            XCTAssertEqual(ExitStatus(for: error.kind), status, name)
        }
    }

    func testErrorTextIsTheSummaryWithAttempts() {
        let error = AltcraftOperations.operationError(
            AltcraftError(.unreachable("connection refused"), endpoint: .status, campaignID: 15, attempts: 4))
        XCTAssertEqual(error.text, "cannot reach the API: connection refused after 4 attempts")
        let api = AltcraftOperations.operationError(
            AltcraftError(.api(code: 401, text: "API token required"), endpoint: .deactivate))
        XCTAssertEqual(api.text, "API error 401 (API token required)")
        XCTAssertEqual(api.code, 401)
    }

    func testWhatPerformSendsIsWhatPlanShows() async throws {
        let sandbox = Sandbox(engine: SandboxEngine(clock: ManualSandboxClock()))
        let client = AltcraftClient(
            configuration: ClientConfiguration(token: SandboxEngine.defaultToken, retries: 0),
            transport: InProcessTransport(sandbox: sandbox))
        let operations = AltcraftOperations(client: client)
        let cases: [(MutatingOperation, Endpoint)] = [
            (.activate(id: 82, now: true, audience: AudienceOverride(source: "segment", id: 2550), limit: 300), .activate),
            (.deactivate(id: 15, abort: true), .deactivate),
            (.clone(id: 118, name: "Весна \"copy\""), .clone),
            (.delete(id: 40), .delete),
            (.launch(id: 22), .broadcastsStart),
            (.launch(id: 1), .regularsStart),
        ]
        for (operation, endpoint) in cases {
            let plan = try await operations.plan(operation)
            let prefix = "POST \(endpoint.path) "
            XCTAssertTrue(plan.hasPrefix(prefix), plan)
            guard case .object(var planned) = try JSONWire.decode(String(plan.dropFirst(prefix.count))) else {
                return XCTFail(plan)
            }
            planned["token"] = nil
            let newID = try await operations.perform(operation)
            let sent = try XCTUnwrap(sandbox.withEngine { $0.requestLog.last })
            XCTAssertEqual(sent.endpoint, endpoint, "\(operation)")
            XCTAssertEqual(sent.parameters, planned, "\(operation)")
            if case .clone = operation {
                let id = try XCTUnwrap(newID)
                XCTAssertEqual(sandbox.withEngine { $0.campaign(Int(id))?.name }, "Весна \"copy\"")
            } else {
                XCTAssertNil(newID, "\(operation)")
            }
        }
    }

    func testWireValuesBecomeLanguageValuesInOrder() {
        let wire: WireValue = ["id": 15, "name": "Весна", "ratio": .double(0.5), "whole": .double(3), "tags": ["a"], "none": nil]
        XCTAssertEqual(
            AltcraftOperations.value(wire),
            .record(
                Record([
                    ("id", .int(15)), ("name", .string("Весна")), ("ratio", .string("0.5")), ("whole", .int(3)),
                    ("tags", .list([.string("a")])), ("none", .null),
                ])))
    }
}
