/// How a drill step, or a whole drill, ended.
public enum DrillOutcome: String, Codable, Sendable, Equatable {
    /// The action was taken and its effect read from every node's committed state.
    case done
    /// The action failed, or its effect did not show on the nodes in time; the drill stopped here.
    case blocked
    /// Not attempted: an earlier step blocked.
    case notRun = "not-run"
}
