extension EVM {
    /// One item of a MultiSend batch.
    public struct MultiSendItem: Hashable, Sendable {
        public let operation: Operation
        public let intent: Intent
    }
}
