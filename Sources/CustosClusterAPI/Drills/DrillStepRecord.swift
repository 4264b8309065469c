/// One line of a drill report: the step, its outcome and when it ran, in wall-clock time
/// (milliseconds since 1970, UTC) and in committed block heights (the highest any live node had
/// committed when the step started and ended). A step not run has no times.
public struct DrillStepRecord: Codable, Sendable, Equatable {
    public var step: DrillStep
    public var outcome: DrillOutcome
    public var blockedBy: String?
    public var evidence: [String]
    public var startedAt: Int64?
    public var endedAt: Int64?
    public var startHeight: UInt64?
    public var endHeight: UInt64?

    public var durationMillis: Int64?

    public init(step: DrillStep, outcome: DrillOutcome, blockedBy: String? = nil, evidence: [String] = [], startedAt: Int64? = nil,
                endedAt: Int64? = nil, startHeight: UInt64? = nil, endHeight: UInt64? = nil) {
        self.step = step
        self.outcome = outcome
        self.blockedBy = blockedBy
        self.evidence = evidence
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.startHeight = startHeight
        self.endHeight = endHeight
        durationMillis = startedAt.flatMap { start in endedAt.map { $0 - start } }
    }
}
