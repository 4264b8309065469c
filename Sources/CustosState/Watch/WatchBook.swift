import CustosCore
import CustosPolicy

/// The watch room of the replicated state: what watcher bots reported of the vaults' history on
/// each chain. For every counterparty (by `PolicyRequest.destinationKey`: chain and normalized
/// address) it keeps the first zero-value or dust transfer reported with it
/// (`AddressAppearance`), which makes a transfer to it "poisoned" unless the vault's own
/// approved transfer to it came first (`DestinationHistory`). It changes only through accepted
/// `watch.report` entries, and a report only ever adds a first appearance: a transfer that is
/// not dust clears nothing, so a lying watcher can make decisions stricter, never looser.
public struct WatchBook: Sendable {
    /// The first zero-value or dust transfer with each counterparty, by chain and address.
    public private(set) var appearances: [String: AddressAppearance] = [:]
    /// The latest chain block each watcher reported on each chain, by `watcher/chain`.
    public private(set) var reportedBlocks: [String: UInt64] = [:]
    /// Every accepted report, in order (the digest's view of the room).
    private(set) var journal = WriteJournal(room: "watch")

    init() {}

    /// The latest block `watcher` reported on `chain`, if any.
    public func reportedBlock(by watcher: String, on chain: String) -> UInt64? { reportedBlocks[watcher + "/" + chain] }

    /// Records an accepted report of `watcher` on `chain` up to `block`, and the first
    /// appearances it adds, in the report's order (a counterparty that appeared before keeps
    /// its first appearance).
    mutating func record(_ report: WatchReport, by watcher: String, flagging: [(key: String, appearance: AddressAppearance)]) {
        reportedBlocks[watcher + "/" + report.chain] = report.block
        var added: [(key: String, appearance: AddressAppearance)] = []
        for (key, appearance) in flagging where appearances[key] == nil {
            appearances[key] = appearance
            added.append((key, appearance))
        }
        journal.record { w in
            w.append(string: watcher)
            w.append(string: report.chain)
            w.append(report.block)
            w.append(UInt32(added.count))
            // What decides and what is shown, but not the wording of the transfer (it may change).
            for (key, a) in added {
                w.append(string: key)
                w.append(UInt64(bitPattern: a.reportedAt))
                w.append(string: a.vaultAddress)
                w.append(a.incoming)
                w.append(a.block)
                w.append(string: a.transaction)
            }
        }
    }

    /// How many counterparties are flagged.
    public var count: Int { appearances.count }
}
