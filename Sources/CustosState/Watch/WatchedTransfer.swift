import BigInt
import CustosChains
import CustosCore

/// One transfer a watcher read from the chain between a vault address and a counterparty: a
/// native transfer into a vault address (from a block body), or an ERC-20 `Transfer` log to or
/// from one. As JSON, inside a `WatchReport`:
///
///     {"block": 120, "transaction": "0x…", "vault_address": "0x…", "counterparty": "0x…",
///      "incoming": true, "token": null, "amount": "1000"}
///
/// `token` is the ERC-20 contract (null for the chain's native asset), `amount` the amount in
/// the token's base units as a decimal string, `incoming` whether the counterparty sent it.
public struct WatchedTransfer: Sendable, Hashable {
    public let block: UInt64
    /// The transaction hash, `0x` and 64 hex digits.
    public let transaction: String
    public let vaultAddress: String
    public let counterparty: String
    public let incoming: Bool
    /// The ERC-20 contract, EIP-55; nil for the native asset.
    public let token: String?
    public let amount: BigUInt

    public init(block: UInt64, transaction: String, vaultAddress: String, counterparty: String, incoming: Bool, token: String?, amount: BigUInt) {
        self.block = block
        self.transaction = transaction
        self.vaultAddress = vaultAddress
        self.counterparty = counterparty
        self.incoming = incoming
        self.token = token
        self.amount = amount
    }

    /// The transfer as a watcher signs it.
    public var json: JSONValue {
        .object([
            ("block", .integer(Int64(clamping: block))), ("transaction", .string(transaction)), ("vault_address", .string(vaultAddress)),
            ("counterparty", .string(counterparty)), ("incoming", .bool(incoming)), ("token", token.map { .string($0) } ?? .null),
            ("amount", .string(String(amount))),
        ])
    }

    /// Reads one transfer strictly (`invalidRequest`): exactly its members; a block number of
    /// at least 0; a transaction hash of 64 hex digits; EVM addresses (stored EIP-55); an amount
    /// of 1 to 78 decimal digits below 2²⁵⁶.
    init(json: JSONValue, index: Int) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidRequest, "the watch report's transfer \(index): \(reason)") }
        guard let members = json.objectValue else { throw invalid("it is a \(json.typeName), not an object") }
        let names = members.map(\.key)
        let expected: Set = ["block", "transaction", "vault_address", "counterparty", "incoming", "token", "amount"]
        guard Set(names) == expected, names.count == expected.count else {
            throw invalid("it has exactly the members block, transaction, vault_address, counterparty, incoming, token and amount")
        }
        guard case .integer(let block)? = json["block"], block >= 0 else { throw invalid("block must be a whole number of at least 0") }
        guard let hash = json["transaction"]?.stringValue, hash.utf8.count == 66, hash.hasPrefix("0x"),
              (try? [UInt8](hex: hash.dropFirst(2))) != nil
        else { throw invalid("transaction must be 0x and 64 hex digits") }
        func address(_ name: String) throws(GovernanceError) -> String {
            guard let text = json[name]?.stringValue, let parsed = try? EVM.Address(hex: text) else { throw invalid("\(name) must be an EVM address") }
            return parsed.checksummed
        }
        let vault = try address("vault_address")
        let counterparty = try address("counterparty")
        guard case .bool(let incoming)? = json["incoming"] else { throw invalid("incoming must be true or false") }
        var token: String? = nil
        if json["token"] != .null { token = try address("token") }
        guard let text = json["amount"]?.stringValue, (1...78).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let amount = BigUInt(text), amount < BigUInt(1) << 256
        else { throw invalid("amount must be the amount in base units, 1 to 78 decimal digits below 2^256") }
        self.init(block: UInt64(block), transaction: hash.lowercased(), vaultAddress: vault, counterparty: counterparty, incoming: incoming,
                  token: token, amount: amount)
    }
}
