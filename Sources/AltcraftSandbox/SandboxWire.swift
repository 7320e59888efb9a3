import AltcraftWire
import Foundation

/// Turns HTTP requests into engine calls and replies into HTTP answers, the same way for the
/// in-process transport and the HTTP server, so both speak exactly the reference's protocol.
public enum SandboxWire {
    /// A decoded request: its parameters, the bearer token if any, and the answer format.
    struct Decoded {
        var parameters: WireObject
        var bearer: String?
        var format: WireFormat
    }

    /// Reads the body by Content-Type (JSON or XML, sniffed when absent), then lets the URL
    /// query supply `token` and `format` as the reference allows.
    static func decode(
        path: String, headers: [(name: String, value: String)], body: [UInt8]
    ) -> Result<Decoded, SandboxReplyError> {
        func header(_ name: String) -> String? {
            headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
        }
        var parameters = WireObject()
        if WireFormat.leadingByte(of: body) != nil {
            let format = WireFormat(contentType: header("content-type") ?? "", body: body, fallback: .json)
            do {
                let value = try format.decode(body)
                guard case .object(let object) = value else {
                    return .failure(SandboxReplyError(status: 400, text: "The request body must be an object"))
                }
                parameters = object
            } catch {
                return .failure(SandboxReplyError(status: 400, text: "Invalid request body: \(error.description)"))
            }
        }
        if path.containsByte(UInt8(ascii: "?")), let query = path.firstIndex(of: "?") {
            for pair in path[path.index(after: query)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                if parts.count == 2, ["token", "format"].contains(parts[0]), parameters[parts[0]] == nil {
                    parameters[parts[0]] = .string(parts[1])
                }
            }
        }
        var bearer: String?
        if let authorization = header("authorization"), authorization.lowercased().hasPrefix("bearer ") {
            bearer = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        // The answer format: the `format` parameter, then the Accept header, then JSON (the
        // documented default).
        let format: WireFormat
        if let asked = parameters["format"]?.stringValue?.lowercased() {
            format = asked == "xml" ? .xml : .json
        } else {
            format = requestedFormat(path: path, headers: headers)
        }
        return .success(Decoded(parameters: parameters, bearer: bearer, format: format))
    }

    /// Encodes an envelope in the asked format.
    static func encode(_ reply: SandboxReply, _ format: WireFormat) -> TransportResponse {
        TransportResponse(
            status: reply.httpStatus, headers: [("Content-Type", format.contentType + "; charset=utf-8")],
            body: format.encode(.object(reply.envelope)))
    }

    /// An error answered before the body is read, in the format the URL's `format` or the
    /// Accept header asks for (the body, unread or unreadable, cannot say).
    /// `package`: the sandbox's server answers its own refusals (wrong method, injected
    /// faults, a body too large) with it too.
    package static func errorResponse(
        status: Int, text: String, path: String = "", headers: [(name: String, value: String)] = []
    ) -> TransportResponse {
        encode(SandboxReply(httpStatus: status, error: status, text: text), requestedFormat(path: path, headers: headers))
    }

    static func requestedFormat(path: String, headers: [(name: String, value: String)]) -> WireFormat {
        if path.containsByte(UInt8(ascii: "?")), let query = path.split(separator: "?", maxSplits: 1).dropFirst().first {
            for pair in query.split(separator: "&") where pair.lowercased() == "format=xml" { return .xml }
            if query.lowercased().contains("format=json") { return .json }
        }
        let accept = headers.first { $0.name.equalsIgnoringASCIICase("accept") }?.value ?? ""
        return accept.containsIgnoringASCIICase("xml") && !accept.containsIgnoringASCIICase("json") ? .xml : .json
    }
}

struct SandboxReplyError: Error {
    var status: Int
    var text: String
}
