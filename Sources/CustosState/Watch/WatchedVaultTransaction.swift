import CustosChains
import CustosCore

/// One transaction a watcher read in a block body whose sender is a vault's EVM address: every
/// node decides itself whether the log signed it (`unsigned-vault-transaction`) and whether it
/// deploys a contract (`vault-deployment`). As JSON, inside a `WatchReport`'s `vault_transactions`:
///
///     {"block": 120, "block_hash": "0x…", "transaction": "0x…", "from": "0x…", "to": "0x…"}
///
/// `to` is null for a contract creation.
public struct WatchedVaultTransaction: Sendable, Hashable {
    public let block: UInt64
    /// `0x` and 64 lowercase hex digits.
    public let blockHash: String
    /// `0x` and 64 lowercase hex digits.
    public let transaction: String
    /// The vault address that sent it, lowercase.
    public let from: String
    /// The recipient, lowercase; nil for a contract creation.
    public let to: String?

    public init(block: UInt64, blockHash: String, transaction: String, from: String, to: String?) {
        self.block = block
        self.blockHash = blockHash.lowercased()
        self.transaction = transaction.lowercased()
        self.from = from.lowercased()
        self.to = to?.lowercased()
    }

    /// The transaction as a watcher signs it.
    public var json: JSONValue {
        .object([
            ("block", .integer(Int64(clamping: block))), ("block_hash", .string(blockHash)), ("transaction", .string(transaction)),
            ("from", .string(from)), ("to", to.map { .string($0) } ?? .null),
        ])
    }

    /// Reads one transaction strictly (`invalidRequest`): exactly its members, a block of at
    /// least 0, hashes of 64 hex digits, EVM addresses (`to` may be null).
    init(json: JSONValue, index: Int) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidRequest, "the watch report's vault transaction \(index): \(reason)") }
        guard let members = json.objectValue else { throw invalid("it is a \(json.typeName), not an object") }
        let expected: Set = ["block", "block_hash", "transaction", "from", "to"]
        guard Set(members.map(\.key)) == expected, members.count == expected.count else {
            throw invalid("it has exactly the members block, block_hash, transaction, from and to")
        }
        guard case .integer(let block)? = json["block"], block >= 0 else { throw invalid("block must be a whole number of at least 0") }
        let blockHash = try WatchedLog.hash(json["block_hash"], "block_hash", invalid)
        let transaction = try WatchedLog.hash(json["transaction"], "transaction", invalid)
        guard let text = json["from"]?.stringValue, let from = try? EVM.Address(hex: text) else { throw invalid("from must be an EVM address") }
        var to: String? = nil
        if json["to"] != .null {
            guard let text = json["to"]?.stringValue, let parsed = try? EVM.Address(hex: text) else { throw invalid("to must be an EVM address or null") }
            to = "0x" + parsed.rawValue.hexString
        }
        self.init(block: UInt64(block), blockHash: blockHash, transaction: transaction, from: "0x" + from.rawValue.hexString, to: to)
    }
}
