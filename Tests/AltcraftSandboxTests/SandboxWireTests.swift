import AltcraftSandbox
import AltcraftWire
import XCTest

/// HTTP-shaped requests through `Sandbox.respond(path:headers:body:)`: bodies, formats, tokens.
final class SandboxWireTests: XCTestCase {
    var sandbox = Sandbox(engine: SandboxEngine(clock: ManualSandboxClock()))

    override func setUp() {
        sandbox = Sandbox(engine: SandboxEngine(clock: ManualSandboxClock()))
    }

    private func respond(
        _ path: String, _ body: String, contentType: String? = "application/json", headers: [(name: String, value: String)] = []
    )
        -> TransportResponse
    {
        var all = headers
        if let contentType { all.append(("Content-Type", contentType)) }
        return sandbox.respond(path: path, headers: all, body: Array(body.utf8))
    }

    private let jsonDeactivate = #"{"token": "sandbox-token", "id": "15", "abort_if_running": "true"}"#
    private let xmlDeactivate = """
        <xml>
        <token>sandbox-token</token>
        <id>15</id>
        <abort_if_running>true</abort_if_running>
        </xml>
        """

    private var queued15: Int? { sandbox.withEngine { $0.campaign(15)?.queued } }

    func testJSONBodyIsDecodedAndAnsweredInJSON() throws {
        let response = respond("/api/v1.1/campaigns/deactivate", jsonDeactivate)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("content-type"), "application/json; charset=utf-8")
        XCTAssertEqual(
            String(decoding: response.body, as: UTF8.self), #"{"data":null,"error":0,"error_text":"Successful operation"}"#)
        XCTAssertEqual(queued15, 0)
    }

    func testXMLBodyIsDecoded() throws {
        let response = respond("/api/v1.1/campaigns/deactivate", xmlDeactivate, contentType: "application/xml")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try envelope(response)["error"]?.int, 0)
        XCTAssertEqual(queued15, 0)
        XCTAssertEqual(sandbox.withEngine { $0.campaign(15)?.isActive }, false)
    }

    func testBodyWithoutContentTypeIsSniffed() throws {
        let xml = respond("/api/v1.1/campaigns/deactivate", "  \n" + xmlDeactivate, contentType: nil)
        XCTAssertEqual(try envelope(xml)["error"]?.int, 0)
        XCTAssertEqual(queued15, 0)
        let json = respond("/api/v1.1/campaigns/get", #"{"token": "sandbox-token", "id": 87}"#, contentType: nil)
        XCTAssertEqual(try envelope(json)["data"]?["name"], "Weekly digest")
        let textPlain = respond("/api/v1.1/campaigns/get", #"{"token": "sandbox-token", "id": 87}"#, contentType: "text/plain")
        XCTAssertEqual(try envelope(textPlain)["error"]?.int, 0)
    }

    func testFormatXMLAnswersXML() throws {
        let response = respond("/api/v1.1/campaigns/get_status", #"{"token": "sandbox-token", "id": 82, "format": "xml"}"#)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("content-type"), "application/xml; charset=utf-8")
        let text = String(decoding: response.body, as: UTF8.self)
        XCTAssertTrue(text.contains("<xml>"), text)
        XCTAssertTrue(text.contains("<status>Inactive</status>"), text)
        let answer = try envelope(response)
        XCTAssertEqual(answer["error"]?.int, 0)
        XCTAssertEqual(answer["data"]?["is_active"]?.boolValue, false)
    }

    func testFormatXMLInTheQueryOrAnXMLAcceptHeaderAnswersXML() throws {
        let query = respond("/api/v1.1/campaigns/list?format=xml", #"{"token": "sandbox-token", "limit": 2}"#)
        XCTAssertEqual(query.header("content-type"), "application/xml; charset=utf-8")
        let rows = try envelope(query)["data"]?.arrayValue ?? []
        XCTAssertEqual(rows.compactMap { $0["id"]?.int }, [1, 2])
        XCTAssertEqual(try envelope(query)["next_from_id"]?.int, 3)

        let accept = respond(
            "/api/v1.1/campaigns/get", #"{"token": "sandbox-token", "id": 1}"#, headers: [("Accept", "application/xml")])
        XCTAssertEqual(accept.header("content-type"), "application/xml; charset=utf-8")
        let json = respond(
            "/api/v1.1/campaigns/get", #"{"token": "sandbox-token", "id": 1, "format": "json"}"#,
            headers: [("Accept", "application/xml")])
        XCTAssertEqual(json.header("content-type"), "application/json; charset=utf-8", "the format parameter wins over Accept")
    }

    func testRepeatedXMLElementsAreAList() throws {
        let body =
            "<xml><token>sandbox-token</token><ui_tags>B2C</ui_tags><ui_tags>sale</ui_tags><is_active>true</is_active></xml>"
        let response = respond("/api/v1.1/campaigns/list", body, contentType: "application/xml")
        XCTAssertEqual(try envelope(response)["data"]?.arrayValue?.compactMap { $0["id"]?.int }, [15, 11768])
        let single = respond(
            "/api/v1.1/campaigns/list", "<xml><token>sandbox-token</token><groups_id>1</groups_id></xml>", contentType: "text/xml"
        )
        XCTAssertEqual(try envelope(single)["data"]?.arrayValue?.compactMap { $0["id"]?.int }, [2, 14, 15, 78])
    }

    func testXMLRequestAnswersJSONUnlessAskedOtherwise() {
        let response = respond("/api/v1.1/campaigns/deactivate", xmlDeactivate, contentType: "application/xml")
        XCTAssertEqual(response.header("content-type"), "application/json; charset=utf-8")
    }

    func testTokenInTheQueryIsAccepted() throws {
        let response = respond("/api/v1.1/campaigns/get?token=sandbox-token", #"{"id": 15}"#)
        XCTAssertEqual(try envelope(response)["error"]?.int, 0)
        let encoded = respond("/api/v1.1/campaigns/get?format=json&token=sandbox%2Dtoken", #"{"id": 15}"#)
        XCTAssertEqual(try envelope(encoded)["error"]?.int, 0, "percent-encoded query values are decoded")
        let noBody = respond("/api/v1.1/campaigns/list?token=sandbox-token", "")
        XCTAssertEqual(try envelope(noBody)["total_count"]?.int, 21, "an empty body is allowed")
        XCTAssertFalse(
            "\(sandbox.withEngine { $0.requestLog })".contains("sandbox-token"), "query tokens are not recorded either")
    }

    func testTokenInTheBodyWinsOverTheQuery() throws {
        let response = respond("/api/v1.1/campaigns/get?token=sandbox-token", #"{"token": "wrong", "id": 15}"#)
        XCTAssertEqual(try envelope(response)["error"]?.int, 403)
    }

    func testBearerHeaderIsAccepted() throws {
        let response = respond("/api/v1.1/campaigns/get", #"{"id": 15}"#, headers: [("Authorization", "Bearer sandbox-token")])
        XCTAssertEqual(try envelope(response)["error"]?.int, 0)
        let missing = respond("/api/v1.1/campaigns/get", #"{"id": 15}"#)
        XCTAssertEqual(try envelope(missing)["error"]?.int, 401)
    }

    func testTrailingSlashAndNoSlashBothWork() throws {
        for path in [
            "/api/v1.1/campaigns/deactivate/", "/api/v1.1/campaigns/activate", "/api/v1.1/campaigns/activate/",
            "/api/v1.1/campaigns/regulars/list", "/api/v1.1/campaigns/regulars/list/", "/api/v1.1/campaigns/triggers/list",
            "/api/v1.1/campaigns/triggers/list/?format=json", "/api/v1.1/campaigns/get_status/",
        ] {
            let response = respond(path, #"{"token": "sandbox-token", "id": 82}"#)
            XCTAssertEqual(response.status, 200, path)
            XCTAssertEqual(try envelope(response)["error"]?.int, 0, path)
        }
    }

    func testAnUnreadableBodyIsAnsweredInTheFormatTheURLOrAcceptAsks() throws {
        let byQuery = respond("/api/v1.1/campaigns/deactivate?format=xml", "{broken")
        XCTAssertEqual(byQuery.status, 400)
        XCTAssertEqual(byQuery.header("Content-Type"), "application/xml; charset=utf-8")
        XCTAssertEqual(try XMLWire.decode(byQuery.body)["error"]?.intValue, 400)
        let byAccept = respond("/api/v1.1/campaigns/deactivate", "{broken", headers: [("Accept", "application/xml")])
        XCTAssertEqual(try XMLWire.decode(byAccept.body)["error"]?.intValue, 400)
        let plain = respond("/api/v1.1/campaigns/deactivate", "{broken")
        XCTAssertEqual(try JSONWire.decode(plain.body)["error"]?.intValue, 400)
    }

    func testInvalidJSONBodyGivesA400Envelope() throws {
        for body in [#"{"token": "sandbox-token", "id": 15"#, "{token: 1}", "nonsense", #"{"a": 1} trailing"#] {
            let response = respond("/api/v1.1/campaigns/deactivate", body)
            XCTAssertEqual(response.status, 400, body)
            let answer = try envelope(response)
            XCTAssertEqual(answer["error"]?.int, 400, body)
            XCTAssertEqual(answer["data"], .null, body)
            XCTAssertNotNil(answer["error_text"]?.stringValue, body)
        }
        XCTAssertEqual(queued15, 6000)
        XCTAssertTrue(sandbox.withEngine { $0.requestLog.isEmpty }, "undecodable requests never reach the engine")
    }

    func testInvalidXMLBodyGivesA400Envelope() throws {
        let response = respond("/api/v1.1/campaigns/deactivate", "<xml><id>15</xml>", contentType: "application/xml")
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(try envelope(response)["error"]?.int, 400)
    }

    func testNonObjectBodyIs400() throws {
        for body in ["[1, 2]", #""sandbox-token""#, "15", "null"] {
            let response = respond("/api/v1.1/campaigns/get", body)
            XCTAssertEqual(response.status, 400, body)
            XCTAssertEqual(try envelope(response)["error"]?.int, 400, body)
        }
    }

    func testUnknownPathIsHTTP404WithAnEnvelope() throws {
        let response = respond("/api/v1.1/campaigns/frobnicate", #"{"token": "sandbox-token"}"#)
        XCTAssertEqual(response.status, 404)
        XCTAssertEqual(try envelope(response)["error"]?.int, 404)
    }

    /// Issue 14: the sandbox answered `/campaigns/get_status`, which a real panel does not
    /// (docs/sandbox.md: the `/api/v1.1/` prefix is required), so a runbook rehearsed on the
    /// sandbox could fail for real. Without the prefix: 404, and nothing changes.
    func testAPathWithoutTheAPIRootIsHTTP404() throws {
        for path in ["/campaigns/get_status", "campaigns/get_status", "/v1.1/campaigns/get_status", "/api/campaigns/deactivate"] {
            let response = respond(path, #"{"token": "sandbox-token", "id": 15, "abort_if_running": true}"#)
            XCTAssertEqual(response.status, 404, path)
            XCTAssertEqual(try envelope(response)["error"]?.int, 404, path)
        }
        let status = try envelope(respond("/api/v1.1/campaigns/get_status", #"{"token": "sandbox-token", "id": 15}"#))
        XCTAssertEqual(status["data"]?["is_active"], true, "the deactivate without the root changed nothing")
    }

    func testAPIErrorsTravelWithHTTP200() throws {
        let response = respond("/api/v1.1/campaigns/get", #"{"token": "sandbox-token", "id": 99999}"#)
        XCTAssertEqual(response.status, 200)
        let answer = try envelope(response)
        XCTAssertEqual(answer["error"]?.int, 404)
        XCTAssertEqual(answer["error_text"], "Campaign not found")
    }
}
