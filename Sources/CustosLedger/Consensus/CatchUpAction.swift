/// What a node does with a sequence of certified blocks fetched to catch up.
public enum CatchUpAction: Sendable, Hashable {
    /// Apply these blocks in order (each persisted with the safety state, as for a commit).
    case apply([Block])
    /// Nothing was applied: the block at `height` failed, for `reason`.
    case refuse(height: UInt64, reason: CommitRefusal)
}
