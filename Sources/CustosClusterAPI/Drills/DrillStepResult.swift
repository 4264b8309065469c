/// What performing one step gave: done with what was seen, or blocked with exactly what blocked it
/// (the error a command printed, or the condition that did not hold on a named node).
public struct DrillStepResult: Codable, Sendable, Equatable {
    public var outcome: DrillOutcome
    public var blockedBy: String?
    /// What was done and read, one fact a line (operation ids, request ids, node heights).
    public var evidence: [String]

    public init(outcome: DrillOutcome, blockedBy: String?, evidence: [String]) {
        self.outcome = outcome
        self.blockedBy = blockedBy
        self.evidence = evidence
    }

    public static func done(_ evidence: [String]) -> DrillStepResult { DrillStepResult(outcome: .done, blockedBy: nil, evidence: evidence) }

    public static func blocked(_ reason: String, evidence: [String] = []) -> DrillStepResult {
        DrillStepResult(outcome: .blocked, blockedBy: reason, evidence: evidence)
    }
}
