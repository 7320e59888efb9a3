/// The deterministic campaigns a fresh sandbox starts with.
///
/// The IDs are those the reference's own examples use (1, 2, 3, 5, 7, 12, 14, 15, 78, 82, 87,
/// 118, 179, 4727, 11768), with the names and types those examples show where they show
/// them, so that the docs' requests work as written. A few more make a useful playground:
/// campaigns tagged `spring-2024` that are sending, as in the language design's runbook.
public enum SandboxSeed {
    struct Spec {
        var id: Int
        var name: String
        var kind: SandboxCampaign.Kind
        var triggerType: String? = nil
        var channel = "email"
        var active = false
        var tags: [String] = []
        var group = 0
        var audience = 5_000
        /// Messages already queued at start (the campaign is sending).
        var queued = 0
        var rate = 50.0
    }

    static let specs: [Spec] = [
        Spec(id: 1, name: "New campaign1", kind: .regular, active: true, tags: ["tag1", "tag2"]),
        Spec(
            id: 2, name: "New campaign2", kind: .trigger, triggerType: "api_call", active: true, tags: ["tag3", "tag4"], group: 1),
        Spec(id: 3, name: "New campaign 1", kind: .broadcast),
        Spec(id: 5, name: "New meteoric campaign", kind: .broadcast),
        Spec(id: 7, name: "Copy of New meteoric campaign", kind: .broadcast),
        Spec(id: 12, name: "New trigger campaign 3", kind: .trigger, triggerType: "api_call", active: true),
        Spec(
            id: 14, name: "New planetary campaign", kind: .trigger, triggerType: "api_call", channel: "push", active: true,
            group: 1),
        Spec(
            id: 15, name: "Regular campaign 1", kind: .regular, active: true, tags: ["B2C"], group: 1, audience: 6_000,
            queued: 6_000),
        Spec(
            id: 20, name: "Spring promo — email", kind: .broadcast, active: true, tags: ["spring-2024"], audience: 3_000,
            queued: 3_000, rate: 25),
        Spec(
            id: 21, name: "Весенняя акция — SMS", kind: .broadcast, channel: "sms", active: true, tags: ["spring-2024"],
            audience: 3_000, queued: 3_000, rate: 25),
        Spec(
            id: 22, name: "Spring promo — push", kind: .broadcast, channel: "push", active: true, tags: ["spring-2024"],
            audience: 2_000),
        Spec(id: 30, name: "Welcome series", kind: .trigger, triggerType: "subscribe", active: true, tags: ["onboarding"]),
        Spec(id: 31, name: "Abandoned cart", kind: .trigger, triggerType: "action", active: true, tags: ["ecommerce"]),
        Spec(id: 40, name: "Monthly newsletter", kind: .regular, tags: ["newsletter"]),
        Spec(id: 78, name: "Regular campaign 2", kind: .regular, tags: ["B2C"], group: 1),
        Spec(id: 82, name: "Summer sale", kind: .broadcast, audience: 4_000),
        Spec(
            id: 87, name: "Weekly digest", kind: .broadcast, active: true, tags: ["newsletter"], audience: 12_000, queued: 12_000,
            rate: 100),
        Spec(id: 118, name: "Daily weather notification", kind: .regular, channel: "push"),
        Spec(id: 179, name: "sms ", kind: .broadcast, channel: "sms"),
        Spec(id: 4727, name: "Autumn promo", kind: .broadcast, audience: 8_000),
        Spec(
            id: 11768, name: "Black Friday", kind: .broadcast, active: true, tags: ["sale"], audience: 30_000, queued: 30_000,
            rate: 100),
    ]

    static let groupNames = [0: "main", 1: "subaccount"]

    /// The seed campaigns, plus generated ones filling every free ID up to `fillTo` (for
    /// bulk tests and benchmarks: `deactivate 1..5000` needs campaigns 1 to 5000).
    public static func campaigns(at now: Double, fillTo: Int = 0) -> [SandboxCampaign] {
        var result: [Int: SandboxCampaign] = [:]
        for spec in specs { result[spec.id] = make(spec, now) }
        if fillTo > 0 {
            let kinds: [SandboxCampaign.Kind] = [.broadcast, .regular, .trigger]
            for id in 1...fillTo where result[id] == nil {
                let kind = kinds[id % 3]
                let spec = Spec(
                    id: id, name: "Generated campaign \(id)", kind: kind, triggerType: kind == .trigger ? "api_call" : nil,
                    active: id % 2 == 0, tags: ["generated"], group: id % 2, audience: 1_000)
                result[id] = make(spec, now)
            }
        }
        return result.keys.sorted().map { result[$0]! }
    }

    static func make(_ spec: Spec, _ now: Double) -> SandboxCampaign {
        var campaign = SandboxCampaign(
            id: spec.id, name: spec.name, kind: spec.kind, triggerType: spec.triggerType, channel: spec.channel,
            isActive: spec.active, isCompleted: false, uiTags: spec.tags,
            groups: [SandboxCampaign.Group(id: spec.group, name: groupNames[spec.group] ?? "main")],
            audienceSize: spec.audience, queued: spec.queued, sent: 0, sendRate: spec.rate, drainedUntil: now,
            sendStarted: spec.queued > 0 ? now : nil, updateTime: now - 86_400, log: [])
        campaign.addLog(now - 86_400, "INFO", "Campaign created")
        if spec.active { campaign.addLog(now - 3_600, "INFO", "Campaign activated") }
        if spec.queued > 0 {
            campaign.addLog(now, "INFO", "Begin campaign", state: "start", value: "\(spec.queued) messages queued")
        }
        return campaign
    }
}
