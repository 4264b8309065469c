/// What an offboarded person had and did, for the record (`ReplicatedState.exitReport(of:)`):
/// what they could propose, approve, freeze or initiate just before (their row of the access
/// matrix), the keys they held (credentials) or administered (bots), and their requests,
/// request decisions and governance operations of the `days` before the offboarding, in block
/// time. Derived from the state alone, so every node and the gateway give the same report at
/// the same height.
public struct ExitReport: Sendable, Hashable, Codable {
    /// A request they initiated.
    public struct Request: Sendable, Hashable, Codable {
        public let id: String
        public let at: UInt64
        public let kind: String
        public let vault: String
        public let destination: String
        public let amount: String
        public let asset: String
        /// `allow`, `deny`, or the approvals' status (`pending`, `approved`, `rejected`, `expired`).
        public let status: String
    }

    /// A decision of theirs on a request or an operation: `approve` or `reject`.
    public struct Decision: Sendable, Hashable, Codable {
        public let id: String
        public let at: UInt64
        public let act: String
    }

    /// A governance operation they proposed.
    public struct Operation: Sendable, Hashable, Codable {
        public let id: String
        public let at: UInt64
        /// The governance action as the policy names it (`add_bot`, `change_policy`, …).
        public let action: String
        public let target: String
        public let status: String
    }

    public let offboarding: Offboarding
    /// How far back the lists go, in days before the offboarding.
    public let days: UInt32
    public let requests: [Request]
    public let requestDecisions: [Decision]
    public let operations: [Operation]
    /// Their decisions on governance operations; the state keeps who decided an operation, not
    /// when, so `at` is when the operation was proposed.
    public let operationDecisions: [Decision]
    /// False when the state may have dropped requests of the period (it keeps the latest
    /// `RequestBook.maximumRecordedRequests`): the log has them all.
    public let complete: Bool
}
