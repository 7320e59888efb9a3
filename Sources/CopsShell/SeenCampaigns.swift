import Synchronization

/// Campaign IDs and names from answers already received, for Tab completion at the prompt:
/// completing never calls the network, so it offers what `list`, `show` and `clone` returned.
public final class SeenCampaigns: Sendable {
    /// Enough for any account an operator scrolls through; older entries make way.
    public static let capacity = 20_000
    private let names = Mutex(Names())

    /// The table, in a struct of its own: a `Mutex` of the dictionary itself made the runtime
    /// build the dictionary's type when the mutex was destroyed, and checking its key's
    /// `Hashable` cost every one-shot a scan of every protocol conformance in the binary
    /// (docs/performance.md, "Tenth round"), even when nothing was recorded.
    private struct Names {
        var byID: [Int64: String] = [:]
    }

    public init() {}

    /// Remembers a campaign (a newer name replaces an older one).
    public func record(id: Int64, name: String) {
        names.withLock { table in
            if table.byID.count >= Self.capacity, table.byID[id] == nil, let victim = table.byID.keys.first {
                table.byID[victim] = nil
            }
            table.byID[id] = name
        }
    }

    /// Forgets a deleted campaign.
    public func forget(id: Int64) { names.withLock { _ = $0.byID.removeValue(forKey: id) } }

    /// Every campaign seen, by ID.
    public var all: [(id: Int64, name: String)] {
        names.withLock { $0.byID.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }
}
