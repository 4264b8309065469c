import CustosCore

/// The body of a watcher's signed report: transfers it read on one chain between vault
/// addresses and counterparties, up to and including chain block `block`. As JSON (RFC 8785
/// canonical inside the signed envelope):
///
///     {"kind": "watch", "chain": "ethereum", "block": 123, "transfers": [ … ]}
///
/// `transfers` holds 0 to `WatchEntry.maximumTransfers` `WatchedTransfer`s, none after `block`.
/// The watcher is the bot that signed the envelope.
public struct WatchReport: Sendable, Hashable {
    public let chain: String
    public let block: UInt64
    public let transfers: [WatchedTransfer]

    public init(chain: String, block: UInt64, transfers: [WatchedTransfer]) {
        self.chain = chain
        self.block = block
        self.transfers = transfers
    }

    /// The body as a watcher signs it.
    public var json: JSONValue {
        .object([("kind", .string("watch")), ("chain", .string(chain)), ("block", .integer(Int64(clamping: block))),
                 ("transfers", .array(transfers.map(\.json)))])
    }

    /// Reads a report strictly (`invalidRequest`): exactly its members, a chain name
    /// (`RegisteredAsset.isName`), a block number of at least 0, at most
    /// `WatchEntry.maximumTransfers` transfers, none in a block after `block`.
    public init(json body: JSONValue) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidRequest, "the watch report: \(reason)") }
        guard let members = body.objectValue else { throw invalid("it is a \(body.typeName), not an object") }
        let names = members.map(\.key)
        guard Set(names) == ["kind", "chain", "block", "transfers"], names.count == 4 else {
            throw invalid("it has exactly the members kind, chain, block and transfers")
        }
        guard body["kind"] == .string("watch") else { throw invalid("kind must be \"watch\"") }
        guard let chain = body["chain"]?.stringValue, RegisteredAsset.isName(chain) else {
            throw invalid("chain must be 1 to \(RegisteredAsset.maximumNameBytes) of [A-Za-z0-9._-]")
        }
        guard case .integer(let block)? = body["block"], block >= 0 else { throw invalid("block must be a whole number of at least 0") }
        guard case .array(let items)? = body["transfers"] else { throw invalid("transfers must be an array") }
        guard items.count <= WatchEntry.maximumTransfers else {
            throw invalid("it carries \(items.count) transfers, at most \(WatchEntry.maximumTransfers)")
        }
        var transfers: [WatchedTransfer] = []
        for (i, item) in items.enumerated() {
            let transfer = try WatchedTransfer(json: item, index: i)
            guard transfer.block <= UInt64(block) else { throw invalid("transfer \(i) is in block \(transfer.block), after the report's block \(block)") }
            transfers.append(transfer)
        }
        self.init(chain: chain, block: UInt64(block), transfers: transfers)
    }
}
