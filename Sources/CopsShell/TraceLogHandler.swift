import AltcraftAPI
import Foundation
import Logging

/// `cops -v`: the client's log as one line per event on stderr, `cops: ` first, with the
/// token masked again here (the client already masks it; this is the backstop).
struct TraceLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    let write: @Sendable (String) -> Void
    let redactor: Redactor

    init(write: @escaping @Sendable (String) -> Void, secrets: [String]) {
        self.write = write
        self.redactor = Redactor(secrets: secrets)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = merged.keys.sorted().map { "\($0)=\(merged[$0]!)" }.joined(separator: " ")
        let text = "cops: \(event.message)" + (fields.isEmpty ? "" : " [\(fields)]")
        write(redactor.redact(text) + "\n")
    }
}
