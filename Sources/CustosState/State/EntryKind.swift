import CustosLedger

/// One kind of log entry the nodes know (`ReplicatedState.entryKinds` lists them all): its name,
/// the most bytes it may carry, the check that it is signed at all, and the room of the state
/// that applies it. An entry of a kind not listed, over its bound, or without a signature is
/// malformed: every node refuses a block carrying it, and the gateway does not queue it.
public struct EntryKind: Sendable {
    public let name: String
    /// The most bytes an entry of this kind carries, payload and authorization together.
    public let maximumBytes: Int
    /// Reads the entry alone and names who signed it. Throws `malformed` for an entry that does
    /// not decode as its kind says and `unsigned` for one that carries no signature where its
    /// kind requires one. It never verifies a signature: whether one verifies depends on the
    /// state (keys, credentials, counters), and that is the transition's to decide and record.
    let signer: @Sendable (Entry) throws(GovernanceError) -> EntrySigner
    /// Applies an entry that `signer` accepted, at the state's block time: the room the kind
    /// belongs to. Deterministic, without I/O; a refusal is recorded, not thrown.
    let transition: @Sendable (inout ReplicatedState, Entry) -> GovernanceOutcome

    init(
        name: String, maximumBytes: Int, signer: @escaping @Sendable (Entry) throws(GovernanceError) -> EntrySigner,
        transition: @escaping @Sendable (inout ReplicatedState, Entry) -> GovernanceOutcome
    ) {
        self.name = name
        self.maximumBytes = maximumBytes
        self.signer = signer
        self.transition = transition
    }
}
