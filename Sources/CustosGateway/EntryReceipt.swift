import CustosLedger

/// What the gateway answers a submitted entry: its place in the queue and its identity, with
/// which the submitter asks when it committed.
public struct EntryReceipt: Sendable, Hashable {
    public let queueID: Int64
    public let digest: LedgerHash

    public init(queueID: Int64, digest: LedgerHash) {
        self.queueID = queueID
        self.digest = digest
    }
}
