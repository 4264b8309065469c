import CustosCore
import CustosCrypto
import CustosPolicy

/// The body of a watcher's signed report: what it read on one chain, blocks `fromBlock` through
/// `block`, between the vault addresses it watched and counterparties. As JSON (RFC 8785
/// canonical inside the signed envelope):
///
///     {"kind": "watch", "chain": "ethereum", "from": 100, "block": 123, "block_hash": "0x…",
///      "parent_hash": "0x…", "block_time": 1764950400, "part": 1, "parts": 1,
///      "vaults": {"count": 2, "sha256": "…"}, "transfers": [ … ]}
///
/// `parent_hash` is the hash of block `from - 1` (null only when `from` is 0): a range that
/// extends a chain's coverage must start on the covered block's hash, so that after a reorg a
/// watcher cannot extend the coverage from blocks that are no longer the chain's (third review
/// M2); nodes refuse it, naming both hashes.
/// `block_hash` and `block_time` are the hash and timestamp (seconds) of block `block`: nodes
/// judge how current a chain's coverage is by the block time of its last covered block, not by
/// when a report arrived (security review M1), and refuse a block time ahead of their own.
/// A range with more transfers than one report carries goes out in several reports of the same
/// range, each naming its place `part` (1 to `parts`) and the count `parts` of the range's
/// reports: a node extends the chain's coverage over the range only once it committed every
/// part of it from the same watcher, in order (`WatchBook.coverage`, security review H2), so a
/// part the gateway drops or reorders leaves the coverage where it was (its flags still count).
/// `transfers` holds 0 to `WatchEntry.maximumTransfers` `WatchedTransfer`s, none outside the
/// range: a report of an empty range says "nothing happened" and is posted all the same, so
/// that nodes can tell it from a silenced watcher (security review M4). `vaults` commits to the
/// vault addresses watched (`vaultsDigest`): every node checks it against the EVM addresses
/// its committed state holds, so a watcher misled about the vaults (by a gateway's
/// `/v1/vaults`) has its report refused. The watcher is the bot that signed the envelope.
///
/// For the policy's `monitoring` section a report may also carry `logs` (0 to
/// `WatchEntry.maximumLogs` raw `WatchedLog`s of the contracts and tokens it names) and
/// `vault_transactions` (0 to `WatchEntry.maximumVaultTransactions` `WatchedVaultTransaction`s
/// sent from vault addresses), none outside the range; each member is present only when it is
/// not empty, so a report without them has the wire form it always had.
///
/// `monitoring`, `{"sha256": "…"}`, commits to what the watcher read for that section on the
/// chain (`monitoringDigest`); it is present exactly when the section it read watches something
/// there. Every node checks it against the policy in force, as it checks `vaults`: a watcher a
/// gateway served another (or no) section has its report refused, naming both digests, so the
/// gateway cannot switch monitoring off unseen (review helper-127 H1).
public struct WatchReport: Sendable, Hashable {
    public let chain: String
    public let fromBlock: UInt64
    public let block: UInt64
    /// The hash (`0x` and 64 lowercase hex digits) and timestamp (seconds) of block `block`.
    public let blockHash: String
    /// The hash of block `fromBlock - 1`; nil only when `fromBlock` is 0.
    public let parentHash: String?
    public let blockTime: Int64
    /// How many vault addresses the watcher read, and `vaultsDigest` of them.
    public let vaultCount: Int
    public let vaultsDigest: String
    /// This report's place among the reports of its range, 1 to `parts`.
    public let part: Int
    /// How many reports the range went out in.
    public let parts: Int
    public let transfers: [WatchedTransfer]
    /// Raw logs for the `monitoring` section.
    public let logs: [WatchedLog]
    /// Transactions sent from vault addresses, for the `monitoring` section.
    public let vaultTransactions: [WatchedVaultTransaction]
    /// `monitoringDigest` of the section the watcher read; nil when it watches nothing on the chain.
    public let monitoring: String?

    public init(
        chain: String, fromBlock: UInt64, block: UInt64, blockHash: String, parentHash: String?, blockTime: Int64, vaults: some Sequence<String>,
        part: Int = 1, parts: Int = 1, transfers: [WatchedTransfer], logs: [WatchedLog] = [], vaultTransactions: [WatchedVaultTransaction] = [],
        monitoring: MonitoringPolicy = MonitoringPolicy()
    ) {
        self.init(chain: chain, fromBlock: fromBlock, block: block, blockHash: blockHash.lowercased(), parentHash: parentHash?.lowercased(), blockTime: blockTime,
                  vaultCount: Set(vaults.map { $0.lowercased() }).count, vaultsDigest: Self.vaultsDigest(vaults), part: part, parts: parts,
                  transfers: transfers, logs: logs, vaultTransactions: vaultTransactions,
                  monitoring: Self.monitoringDigest(monitoring, chain: chain))
    }

    init(
        chain: String, fromBlock: UInt64, block: UInt64, blockHash: String, parentHash: String?, blockTime: Int64, vaultCount: Int,
        vaultsDigest: String, part: Int, parts: Int, transfers: [WatchedTransfer], logs: [WatchedLog] = [], vaultTransactions: [WatchedVaultTransaction] = [],
        monitoring: String? = nil
    ) {
        self.chain = chain
        self.fromBlock = fromBlock
        self.block = block
        self.blockHash = blockHash
        self.parentHash = parentHash
        self.blockTime = blockTime
        self.vaultCount = vaultCount
        self.vaultsDigest = vaultsDigest
        self.part = part
        self.parts = parts
        self.transfers = transfers
        self.logs = logs
        self.vaultTransactions = vaultTransactions
        self.monitoring = monitoring
    }

    /// Whether this is an explicit heartbeat at block `block`: one empty report of that block
    /// alone. Nodes take it at the chain's covered block, but it does not refresh the coverage.
    public var isHeartbeat: Bool { fromBlock == block && parts == 1 && transfers.isEmpty && logs.isEmpty && vaultTransactions.isEmpty }

    /// The most reports one range may go out in.
    public static let maximumParts = 1_000_000

    /// SHA-256, in lowercase hex, of the distinct addresses lowercased, sorted and joined by
    /// newlines: what a report's `vaults.sha256` commits to.
    public static func vaultsDigest(_ addresses: some Sequence<String>) -> String {
        Hashes.sha256(Array(Set(addresses.map { $0.lowercased() }).sorted().joined(separator: "\n").utf8)).hexString
    }

    /// SHA-256, in lowercase hex, of `policy.readScope(chain:)` joined by newlines: what a
    /// report's `monitoring.sha256` commits to; nil when the section watches nothing on `chain`.
    public static func monitoringDigest(_ policy: MonitoringPolicy, chain: String) -> String? {
        let scope = policy.readScope(chain: chain)
        return scope.isEmpty ? nil : Hashes.sha256(Array(scope.joined(separator: "\n").utf8)).hexString
    }

    /// The body as a watcher signs it.
    public var json: JSONValue {
        .object([("kind", .string("watch")), ("chain", .string(chain)), ("from", .integer(Int64(clamping: fromBlock))),
                 ("block", .integer(Int64(clamping: block))),
                 ("block_hash", .string(blockHash)), ("parent_hash", parentHash.map { .string($0) } ?? .null), ("block_time", .integer(blockTime)), ("part", .integer(Int64(part))), ("parts", .integer(Int64(parts))),
                 ("vaults", .object([("count", .integer(Int64(vaultCount))), ("sha256", .string(vaultsDigest))])),
                 ("transfers", .array(transfers.map(\.json)))]
                + (logs.isEmpty ? [] : [("logs", .array(logs.map(\.json)))])
                + (vaultTransactions.isEmpty ? [] : [("vault_transactions", .array(vaultTransactions.map(\.json)))])
                + (monitoring.map { [("monitoring", .object([("sha256", .string($0))]))] } ?? []))
    }

    /// Reads a report strictly (`invalidRequest`): exactly its members, a chain name
    /// (`RegisteredAsset.isName`), block numbers of at least 0 with `from` not after `block`, a
    /// block hash of 64 hex digits, a parent hash of 64 hex digits (null for a range from block 0)
    /// and a block time of at least 0,
    /// `part` from 1 to `parts`, `parts` at most `maximumParts`, a vault count and a 64-hex-digit digest, at most
    /// `WatchEntry.maximumTransfers` transfers, none outside the range.
    public init(json body: JSONValue) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidRequest, "the watch report: \(reason)") }
        guard let members = body.objectValue else { throw invalid("it is a \(body.typeName), not an object") }
        let names = members.map(\.key)
        let expected: Set = ["kind", "chain", "from", "block", "block_hash", "parent_hash", "block_time", "part", "parts", "vaults", "transfers"]
        let optional: Set = ["logs", "vault_transactions", "monitoring"]
        guard expected.isSubset(of: names), Set(names).isSubset(of: expected.union(optional)), names.count == Set(names).count else {
            throw invalid("it has exactly the members kind, chain, from, block, block_hash, parent_hash, block_time, part, parts, vaults and transfers, "
                          + "and logs, vault_transactions and monitoring when they are not empty")
        }
        guard body["kind"] == .string("watch") else { throw invalid("kind must be \"watch\"") }
        guard let chain = body["chain"]?.stringValue, RegisteredAsset.isName(chain) else {
            throw invalid("chain must be 1 to \(RegisteredAsset.maximumNameBytes) of [A-Za-z0-9._-]")
        }
        guard case .integer(let from)? = body["from"], from >= 0 else { throw invalid("from must be a whole number of at least 0") }
        guard case .integer(let block)? = body["block"], block >= from else {
            throw invalid("block must be a whole number of at least from (\(from))")
        }
        func isHash(_ text: String) -> Bool {
            text.utf8.count == 66 && text.hasPrefix("0x") && text.utf8.dropFirst(2).allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        }
        guard let hash = body["block_hash"]?.stringValue?.lowercased(), isHash(hash) else { throw invalid("block_hash must be 0x and 64 hex digits") }
        var parent: String? = nil
        if from > 0 {
            guard let text = body["parent_hash"]?.stringValue?.lowercased(), isHash(text) else {
                throw invalid("parent_hash must be the hash of block \(from - 1), 0x and 64 hex digits")
            }
            parent = text
        } else if body["parent_hash"] != .null {
            throw invalid("parent_hash must be null for a range from block 0")
        }
        guard case .integer(let blockTime)? = body["block_time"], blockTime >= 0 else {
            throw invalid("block_time must be the block's timestamp, a whole number of seconds of at least 0")
        }
        guard case .integer(let parts)? = body["parts"], (1...Int64(Self.maximumParts)).contains(parts) else {
            throw invalid("parts must be a whole number from 1 to \(Self.maximumParts)")
        }
        guard case .integer(let part)? = body["part"], (1...parts).contains(part) else {
            throw invalid("part must be a whole number from 1 to parts (\(parts))")
        }
        guard let vaults = body["vaults"]?.objectValue, Set(vaults.map(\.key)) == ["count", "sha256"], vaults.count == 2,
              case .integer(let count)? = body["vaults"]?["count"], count >= 0, count <= Int64(Int32.max),
              let digest = body["vaults"]?["sha256"]?.stringValue, digest.utf8.count == 64,
              digest.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { throw invalid("vaults must be {\"count\": a whole number, \"sha256\": 64 lowercase hex digits}") }
        guard case .array(let items)? = body["transfers"] else { throw invalid("transfers must be an array") }
        guard items.count <= WatchEntry.maximumTransfers else {
            throw invalid("it carries \(items.count) transfers, at most \(WatchEntry.maximumTransfers)")
        }
        var transfers: [WatchedTransfer] = []
        for (i, item) in items.enumerated() {
            let transfer = try WatchedTransfer(json: item, index: i)
            guard transfer.block <= UInt64(block) else { throw invalid("transfer \(i) is in block \(transfer.block), after the report's block \(block)") }
            guard transfer.block >= UInt64(from) else { throw invalid("transfer \(i) is in block \(transfer.block), before the report's first block \(from)") }
            transfers.append(transfer)
        }
        func list(_ name: String, most: Int) throws(GovernanceError) -> [JSONValue] {
            guard let value = body[name] else { return [] }
            guard case .array(let items) = value, !items.isEmpty else { throw invalid("\(name) must be a list that is not empty, or left out") }
            guard items.count <= most else { throw invalid("it carries \(items.count) \(name), at most \(most)") }
            return items
        }
        func inRange(_ number: UInt64, _ what: String) throws(GovernanceError) {
            guard number >= UInt64(from), number <= UInt64(block) else { throw invalid("\(what) is in block \(number), outside the report's blocks \(from)–\(block)") }
        }
        var logs: [WatchedLog] = []
        for (i, item) in try list("logs", most: WatchEntry.maximumLogs).enumerated() {
            let log = try WatchedLog(json: item, index: i)
            try inRange(log.block, "log \(i)")
            guard !logs.contains(where: { $0.blockHash == log.blockHash && $0.logIndex == log.logIndex }) else {
                throw invalid("log \(i) repeats log \(log.logIndex) of block \(log.blockHash)")
            }
            logs.append(log)
        }
        var vaultTransactions: [WatchedVaultTransaction] = []
        for (i, item) in try list("vault_transactions", most: WatchEntry.maximumVaultTransactions).enumerated() {
            let transaction = try WatchedVaultTransaction(json: item, index: i)
            try inRange(transaction.block, "vault transaction \(i)")
            guard !vaultTransactions.contains(where: { $0.transaction == transaction.transaction }) else {
                throw invalid("vault transaction \(i) repeats transaction \(transaction.transaction)")
            }
            vaultTransactions.append(transaction)
        }
        var monitoring: String?
        if let value = body["monitoring"] {
            guard let members = value.objectValue, members.count == 1, let text = value["sha256"]?.stringValue, text.utf8.count == 64,
                  text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
            else { throw invalid("monitoring must be {\"sha256\": 64 lowercase hex digits}, or left out when the section watches nothing on the chain") }
            monitoring = text
        }
        self.init(chain: chain, fromBlock: UInt64(from), block: UInt64(block), blockHash: hash, parentHash: parent, blockTime: blockTime, vaultCount: Int(count),
                  vaultsDigest: digest, part: Int(part), parts: Int(parts), transfers: transfers, logs: logs, vaultTransactions: vaultTransactions,
                  monitoring: monitoring)
    }
}
