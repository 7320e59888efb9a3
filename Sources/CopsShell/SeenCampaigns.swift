import Synchronization

/// Campaign IDs and names from answers already received, for Tab completion at the prompt:
/// completing never calls the network, so it offers what `list`, `show` and `clone` returned.
public final class SeenCampaigns: Sendable {
    /// Enough for any account an operator scrolls through; older entries make way.
    public static let capacity = 20_000
    private let names = Mutex<[Int64: String]>([:])

    public init() {}

    /// Remembers a campaign (a newer name replaces an older one).
    public func record(id: Int64, name: String) {
        names.withLock { names in
            if names.count >= Self.capacity, names[id] == nil, let victim = names.keys.first { names[victim] = nil }
            names[id] = name
        }
    }

    /// Forgets a deleted campaign.
    public func forget(id: Int64) { names.withLock { _ = $0.removeValue(forKey: id) } }

    /// Every campaign seen, by ID.
    public var all: [(id: Int64, name: String)] {
        names.withLock { $0.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }
}
