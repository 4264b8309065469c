import CustosCore
import CustosState

/// An alert as the API shows it (`GET /v1/alerts`).
public struct AlertView: Codable, Sendable, Equatable {
    public var id: UInt64
    /// `receipt-mismatch`, `mined-reverted`, `receipt-overdue` or `receipt-disputed`.
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
    /// time alone).
    public var basis: String
    /// For `receipt-disputed`: the nodes whose reading of the chain disagreed with the executor's receipt.
    public var members: [String]
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
        height = a.height
        blockTime = a.blockTime
    }

    /// Every alert of `state`, oldest first.
    public static func list(of state: ReplicatedState) -> [AlertView] { state.alerts.all.map(AlertView.init) }
}
