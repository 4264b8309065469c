/// What a node did with a security officer's local freeze, kept by the freeze's digest for as
/// long as the node lives: a freeze is taken once, and once verified is lifted only by the quorum.
public enum LocalFreezeUse: String, Sendable, Hashable {
    /// It verified against the committed state when taken; it halts until the quorum unfreezes.
    case verified
    /// The quorum unfroze it; presented again, it is refused.
    case lifted
}
