import CustosCore
import CustosCrypto

/// The body of a watcher's signed report: what it read on one chain, blocks `fromBlock` through
/// `block`, between the vault addresses it watched and counterparties. As JSON (RFC 8785
/// canonical inside the signed envelope):
///
///     {"kind": "watch", "chain": "ethereum", "from": 100, "block": 123, "final": true,
///      "vaults": {"count": 2, "sha256": "…"}, "transfers": [ … ]}
///
/// A range with more transfers than one report carries goes out in several reports of the same
/// range, all but the last with `final` false: only a final report extends the chain's coverage
/// (`WatchBook.coverage`), so a part the gateway drops never counts as covered.
/// `transfers` holds 0 to `WatchEntry.maximumTransfers` `WatchedTransfer`s, none outside the
/// range: a report of an empty range says "nothing happened" and is posted all the same, so
/// that nodes can tell it from a silenced watcher (security review M4). `vaults` commits to the
/// vault addresses watched (`vaultsDigest`): every node checks it against the EVM addresses
/// its committed state holds, so a watcher misled about the vaults (by a gateway's
/// `/v1/vaults`) has its report refused. The watcher is the bot that signed the envelope.
public struct WatchReport: Sendable, Hashable {
    public let chain: String
    public let fromBlock: UInt64
    public let block: UInt64
    /// How many vault addresses the watcher read, and `vaultsDigest` of them.
    public let vaultCount: Int
    public let vaultsDigest: String
    /// Whether this is the last report of its range.
    public let isFinal: Bool
    public let transfers: [WatchedTransfer]

    public init(chain: String, fromBlock: UInt64, block: UInt64, vaults: some Sequence<String>, isFinal: Bool = true, transfers: [WatchedTransfer]) {
        self.init(chain: chain, fromBlock: fromBlock, block: block, vaultCount: Set(vaults.map { $0.lowercased() }).count,
                  vaultsDigest: Self.vaultsDigest(vaults), isFinal: isFinal, transfers: transfers)
    }

    init(chain: String, fromBlock: UInt64, block: UInt64, vaultCount: Int, vaultsDigest: String, isFinal: Bool, transfers: [WatchedTransfer]) {
        self.chain = chain
        self.fromBlock = fromBlock
        self.block = block
        self.vaultCount = vaultCount
        self.vaultsDigest = vaultsDigest
        self.isFinal = isFinal
        self.transfers = transfers
    }

    /// SHA-256, in lowercase hex, of the distinct addresses lowercased, sorted and joined by
    /// newlines: what a report's `vaults.sha256` commits to.
    public static func vaultsDigest(_ addresses: some Sequence<String>) -> String {
        Hashes.sha256(Array(Set(addresses.map { $0.lowercased() }).sorted().joined(separator: "\n").utf8)).hexString
    }

    /// The body as a watcher signs it.
    public var json: JSONValue {
        .object([("kind", .string("watch")), ("chain", .string(chain)), ("from", .integer(Int64(clamping: fromBlock))),
                 ("block", .integer(Int64(clamping: block))), ("final", .bool(isFinal)),
                 ("vaults", .object([("count", .integer(Int64(vaultCount))), ("sha256", .string(vaultsDigest))])),
                 ("transfers", .array(transfers.map(\.json)))])
    }

    /// Reads a report strictly (`invalidRequest`): exactly its members, a chain name
    /// (`RegisteredAsset.isName`), block numbers of at least 0 with `from` not after `block`,
    /// `final` a boolean, a vault count and a 64-hex-digit digest, at most
    /// `WatchEntry.maximumTransfers` transfers, none outside the range.
    public init(json body: JSONValue) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidRequest, "the watch report: \(reason)") }
        guard let members = body.objectValue else { throw invalid("it is a \(body.typeName), not an object") }
        let names = members.map(\.key)
        guard Set(names) == ["kind", "chain", "from", "block", "final", "vaults", "transfers"], names.count == 7 else {
            throw invalid("it has exactly the members kind, chain, from, block, final, vaults and transfers")
        }
        guard body["kind"] == .string("watch") else { throw invalid("kind must be \"watch\"") }
        guard let chain = body["chain"]?.stringValue, RegisteredAsset.isName(chain) else {
            throw invalid("chain must be 1 to \(RegisteredAsset.maximumNameBytes) of [A-Za-z0-9._-]")
        }
        guard case .integer(let from)? = body["from"], from >= 0 else { throw invalid("from must be a whole number of at least 0") }
        guard case .integer(let block)? = body["block"], block >= from else {
            throw invalid("block must be a whole number of at least from (\(from))")
        }
        guard case .bool(let isFinal)? = body["final"] else { throw invalid("final must be true or false") }
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
        self.init(chain: chain, fromBlock: UInt64(from), block: UInt64(block), vaultCount: Int(count), vaultsDigest: digest, isFinal: isFinal, transfers: transfers)
    }
}
