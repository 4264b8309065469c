/// A drill in progress, as a value: the next step of its scenario's script until one blocks, then
/// nothing (a blocked step stops the scenario). Performing the steps is the caller's I/O; this
/// only orders them and keeps what they gave, and makes the report however the run ended.
public struct DrillRun: Sendable, Equatable {
    public let scenario: DrillScenario
    public private(set) var records: [DrillStepRecord] = []

    public init(_ scenario: DrillScenario) { self.scenario = scenario }

    /// Whether a step blocked.
    public var blocked: Bool { records.contains { $0.outcome == .blocked } }

    /// The step to perform now; nil once every step is done or one blocked.
    public var next: DrillStep? {
        blocked ? nil : scenario.steps.dropFirst(records.count).first
    }

    /// Records what performing `next` gave. A result for a run with no next step is ignored (the
    /// script is over), so a caller cannot append steps the scenario does not have.
    public mutating func record(_ result: DrillStepResult, startedAt: Int64, endedAt: Int64, startHeight: UInt64?, endHeight: UInt64?) {
        guard let step = next else { return }
        records.append(DrillStepRecord(step: step, outcome: result.outcome == .notRun ? .blocked : result.outcome,
                                       blockedBy: result.outcome == .done ? nil : (result.blockedBy ?? "no reason given"),
                                       evidence: result.evidence, startedAt: startedAt, endedAt: endedAt,
                                       startHeight: startHeight, endHeight: endHeight))
    }

    /// The report: every step of the script, those after a blocked one marked not run.
    public func report(cluster: String, gateway: String, startedAt: Int64, endedAt: Int64, aftermath: [String] = []) -> DrillReport {
        let rest = scenario.steps.dropFirst(records.count).map { DrillStepRecord(step: $0, outcome: .notRun) }
        return DrillReport(scenario: scenario, cluster: cluster, gateway: gateway, startedAt: startedAt, endedAt: endedAt,
                           steps: records + rest, aftermath: aftermath)
    }
}
