extension EVM {
    /// A call inside a Safe transaction or a MultiSend batch: call or delegatecall.
    public enum Operation: UInt8, Hashable, Sendable {
        case call = 0
        case delegatecall = 1
    }
}
