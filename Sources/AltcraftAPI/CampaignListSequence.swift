import AltcraftWire

/// Every campaign of a list endpoint, fetched one page at a time as it is iterated.
///
/// Follows `next_from_id` (or, for the per-type lists that lack it, the last ID plus one)
/// until a page comes back empty, so a large account is never loaded whole.
public struct CampaignListSequence: AsyncSequence, Sendable {
    public typealias Element = CampaignSummary
    public typealias Failure = AltcraftError
    let client: AltcraftClient
    let endpoint: Endpoint
    let query: CampaignListQuery

    public func makeAsyncIterator() -> Iterator {
        Iterator(client: client, endpoint: endpoint, query: query)
    }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = CampaignSummary
        public typealias Failure = AltcraftError
        let client: AltcraftClient
        let endpoint: Endpoint
        var query: CampaignListQuery
        var buffer: [CampaignSummary] = []
        var position = 0
        var finished = false

        init(client: AltcraftClient, endpoint: Endpoint, query: CampaignListQuery) {
            self.client = client
            self.endpoint = endpoint
            self.query = query
        }

        public mutating func next() async throws(AltcraftError) -> CampaignSummary? {
            while position == buffer.count {
                guard !finished else { return nil }
                let page = try await client.page(.typedList(endpoint, query))
                buffer = page.campaigns
                position = 0
                guard let last = page.campaigns.last else {
                    finished = true
                    return nil
                }
                let from = query.fromID ?? 1
                // The last possible ID has no next one (a hostile answer must not overflow us).
                let next = page.nextFromID ?? (last.id == .max ? last.id : last.id + 1)
                // A server that does not move forward would make us loop for ever.
                if next <= from || next <= last.id { finished = true }
                query.fromID = next
            }
            defer { position += 1 }
            return buffer[position]
        }
    }
}
