/// What a drill did, step by step, for the firm's tabletop record: `markdown` for people, the
/// JSON encoding of this value for scripts.
public struct DrillReport: Codable, Sendable, Equatable {
    public var scenario: String
    public var title: String
    public var cluster: String
    public var gateway: String
    public var startedAt: Int64
    public var endedAt: Int64
    /// `done` when every step was done; `blocked` otherwise.
    public var outcome: DrillOutcome
    /// The step that blocked, if one did.
    public var blockedAt: String?
    public var steps: [DrillStepRecord]
    /// What the system cannot do in this scenario, stated whatever the outcome.
    public var limit: String?
    /// What was done after the script to leave the cluster as it was (not timed as steps).
    public var aftermath: [String]

    public init(scenario: DrillScenario, cluster: String, gateway: String, startedAt: Int64, endedAt: Int64, steps: [DrillStepRecord],
                aftermath: [String]) {
        self.scenario = scenario.rawValue
        title = scenario.title
        self.cluster = cluster
        self.gateway = gateway
        self.startedAt = startedAt
        self.endedAt = endedAt
        let blocked = steps.first { $0.outcome != .done }
        outcome = blocked == nil ? .done : .blocked
        blockedAt = steps.first { $0.outcome == .blocked }?.step.id
        self.steps = steps
        limit = scenario.limit
        self.aftermath = aftermath
    }
}
