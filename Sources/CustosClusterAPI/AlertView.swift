import CustosCore
import CustosState

/// An alert as the API shows it (`GET /v1/alerts`).
public struct AlertView: Codable, Sendable, Equatable {
    /// A monitoring alert's event, as every node decoded it from what watchers reported.
    public struct Event: Codable, Sendable, Equatable {
        /// The emitting contract, or the vault address that sent the transaction; empty for `monitoring-lagging`.
        public var contract: String
        public var block: UInt64
        public var blockHash: String
        public var transaction: String
        public var logIndex: UInt64?
        /// The decoded fields by name.
        public var fields: [String: String]
    }

    public var id: UInt64
    /// `receipt-mismatch`, `mined-reverted`, `receipt-overdue`, `receipt-disputed`, or a monitoring
    /// alert (`Alert.Kind`: `ownership-transferred`, `proxy-upgraded`, …, `monitoring-lagging`).
    public var kind: String
    public var request: String
    public var vault: String
    public var chain: String
    /// `0x` hex; absent where no transaction was signed.
    public var transactionHash: String?
    /// The receipt's mismatch codes (`TransactionView.Receipt.Mismatch`); empty for an overdue receipt.
    public var codes: [String]
    /// `reported` (the executor's receipt, checked against the signed transaction but not read
    /// from the chain by any node), `confirmed` (the same receipt read by f+1 nodes from their own
    /// endpoints), `checked` (nodes' own readings: a dispute) or `block-time` (raised by the block
    /// time alone) or `watched` (a monitoring alert: reported the same by `poisoning.min_watchers` watchers).
    public var basis: String
    /// For `receipt-disputed`: the nodes whose reading of the chain disagreed with the executor's
    /// receipt; for a monitoring alert, the watchers whose reports raised it.
    public var members: [String]
    /// For a monitoring alert: its event; absent for a receipt's.
    public var event: Event?
    public var height: UInt64
    /// Block time (milliseconds) of the block that raised it.
    public var blockTime: UInt64

    public init(_ a: Alert) {
        id = a.id
        kind = a.kind.rawValue
        request = a.requestId
        vault = a.vault
        chain = a.chain
        transactionHash = a.transactionHash.isEmpty ? nil : "0x" + a.transactionHash.hexString
        codes = a.codes.map(\.rawValue)
        basis = a.basis.rawValue
        members = a.members
        event = a.event.map {
            Event(contract: $0.contract, block: $0.block, blockHash: $0.blockHash, transaction: $0.transaction, logIndex: $0.logIndex, fields: $0.fields)
        }
        height = a.height
        blockTime = a.blockTime
    }

    /// Every alert of `state`, oldest first.
    public static func list(of state: ReplicatedState) -> [AlertView] { state.alerts.all.map(AlertView.init) }
}
