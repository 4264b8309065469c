/// What the members' own readings of the chain made of an executor's recorded receipt
/// (`ReplicatedState.acceptReceiptCheck`): settled once, by the first f+1 checks that agree on it.
public enum ReceiptVerdict: String, Sendable, Hashable, Codable {
    /// f+1 members read exactly the recorded receipt from their own endpoints: at least one of
    /// them is honest, so the receipt is what the chain holds.
    case confirmed
    /// f+1 members read another receipt, or none: at least one honest node says the executor's
    /// receipt is not what the chain holds.
    case disputed
}
