import Synchronization

/// Faults the HTTP sandbox injects, reproducible by seed.
public struct FaultPlan: Sendable, Equatable {
    /// Share of requests answered 500 with an error envelope, before the state is touched.
    public var failRate: Double = 0
    /// Share of requests whose connection is dropped in the middle of the answer, after the
    /// state has changed: the harshest case for a client, which cannot know the outcome.
    public var resetRate: Double = 0
    /// Share of requests answered with headers and then a closed connection, after the state
    /// has changed.
    public var closeAfterHeadersRate: Double = 0
    /// Share of requests never answered (the connection stays open, silent).
    public var stallRate: Double = 0
    /// Delay before each answer, drawn uniformly from the range.
    public var latency: ClosedRange<Double>? = nil
    /// Requests per second allowed; more get 429 with `Retry-After`.
    public var rateLimit: Int? = nil
    public var seed: UInt64 = 1

    public init() {}

    public var isEmpty: Bool {
        failRate == 0 && resetRate == 0 && closeAfterHeadersRate == 0 && stallRate == 0 && latency == nil && rateLimit == nil
    }
}

/// What to do with one request.
struct FaultDecision: Equatable {
    enum Action: Equatable {
        case answer, fail, reset, closeAfterHeaders, stall
        case rateLimited(retryAfter: Int)
    }
    var action: Action
    var delay: Double
}

/// Draws fault decisions from a seeded generator, one per request, in arrival order.
final class FaultInjector: Sendable {
    let plan: FaultPlan
    private let state: Mutex<(random: SplitMix64, tokens: Double, refilled: ContinuousClock.Instant)>

    init(plan: FaultPlan) {
        self.plan = plan
        state = Mutex((SplitMix64(seed: plan.seed), Double(plan.rateLimit ?? 0), ContinuousClock.now))
    }

    func decide() -> FaultDecision {
        state.withLock { state in
            var delay = 0.0
            if let latency = plan.latency {
                delay = latency.lowerBound + (latency.upperBound - latency.lowerBound) * state.random.nextUnit()
            }
            if let limit = plan.rateLimit, limit > 0 {
                let now = ContinuousClock.now
                let elapsed = now - state.refilled
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                state.tokens = min(Double(limit), state.tokens + seconds * Double(limit))
                state.refilled = now
                if state.tokens < 1 {
                    let wait = (1 - state.tokens) / Double(limit)
                    return FaultDecision(action: .rateLimited(retryAfter: max(1, Int(wait.rounded(.up)))), delay: 0)
                }
                state.tokens -= 1
            }
            // Always draw every number, so one fault's rate does not shift another's sequence.
            let fail = state.random.nextUnit()
            let reset = state.random.nextUnit()
            let close = state.random.nextUnit()
            let stall = state.random.nextUnit()
            if fail < plan.failRate { return FaultDecision(action: .fail, delay: delay) }
            if stall < plan.stallRate { return FaultDecision(action: .stall, delay: delay) }
            if reset < plan.resetRate { return FaultDecision(action: .reset, delay: delay) }
            if close < plan.closeAfterHeadersRate { return FaultDecision(action: .closeAfterHeaders, delay: delay) }
            return FaultDecision(action: .answer, delay: delay)
        }
    }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64); public so tests
/// that generate inputs reproduce them with the same one.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<1.
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
