import CustosCore
import CustosCrypto

/// What a monitoring alert names, as every node derived it from what watchers reported: the
/// event's alert kind, chain, emitting contract (a vault transaction's sender; empty for a
/// lagging coverage), block, transaction, log index and decoded fields. Watchers report raw logs
/// and transactions (`WatchedLog`, `WatchedVaultTransaction`); no watcher's decoding is believed.
public struct MonitoredEvent: Sendable, Hashable, Codable {
    public let kind: Alert.Kind
    public let chain: String
    /// Lowercase EVM address; empty for `monitoring-lagging`.
    public let contract: String
    public let block: UInt64
    /// `0x` and 64 lowercase hex digits; empty for `monitoring-lagging`.
    public let blockHash: String
    /// `0x` and 64 lowercase hex digits; empty for `monitoring-lagging`.
    public let transaction: String
    /// The log's index in its block; nil for a transaction or a lagging coverage.
    public let logIndex: UInt64?
    /// The decoded fields by name (`new_owner`, `implementation`, `value`, …), addresses lowercase, numbers in decimal.
    public let fields: [String: String]

    public init(kind: Alert.Kind, chain: String, contract: String, block: UInt64, blockHash: String, transaction: String, logIndex: UInt64?,
                fields: [String: String]) {
        self.kind = kind
        self.chain = chain
        self.contract = contract
        self.block = block
        self.blockHash = blockHash
        self.transaction = transaction
        self.logIndex = logIndex
        self.fields = fields
    }

    /// Appends everything the event says, in a fixed order (fields sorted by name).
    func append(to w: inout CanonicalWriter) {
        w.append(string: kind.rawValue)
        w.append(string: chain)
        w.append(string: contract)
        w.append(block)
        w.append(string: blockHash)
        w.append(string: transaction)
        w.append(logIndex != nil)
        w.append(logIndex ?? 0)
        w.append(UInt32(fields.count))
        for name in fields.keys.sorted() {
            w.append(string: name)
            w.append(string: fields[name]!)
        }
    }

    /// SHA-256 in hex of everything the event says: two watchers report "the same event" only
    /// when every part of it, decoded fields included, is the same.
    public var key: String {
        var w = CanonicalWriter()
        append(to: &w)
        return Hashes.sha256(w.bytes).hexString
    }
}
