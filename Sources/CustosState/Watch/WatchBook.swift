import CustosCore
import CustosPolicy

/// The watch room of the replicated state: what watcher bots reported of the vaults' history on
/// each chain. For every counterparty (by `PolicyRequest.destinationKey`: chain and normalized
/// address) it keeps the first zero-value or dust transfer reported with it
/// (`AddressAppearance`, with the watcher that reported it), which makes a transfer to it
/// "poisoned" unless another approved request to it came first (`DestinationHistory`). It
/// changes only through accepted `watch.report` entries, and a report only ever adds a first
/// appearance: a transfer that is not dust clears nothing, so a lying watcher can make
/// decisions stricter, never looser. Only the quorum clears a flag (`clearWatchFlag`, governed
/// as a policy change), and a cleared address is never flagged again.
///
/// The room is bounded: at most `maximumFlagsPerChain` flagged counterparties per chain. A report
/// that would flag more is refused whole (`ReplicatedState.applyWatch`), never cut short, so the
/// watcher cannot move past it and the flags it would add are not silently lost (security
/// review M3: zero-value transfers cost an attacker almost nothing).
public struct WatchBook: Sendable {
    /// The first zero-value or dust transfer with each counterparty, by chain and address.
    public private(set) var appearances: [String: AddressAppearance] = [:]
    /// How many counterparties are flagged on each chain.
    public private(set) var flagsPerChain: [String: Int] = [:]
    /// Flags the quorum cleared, by chain and address: the clearing operation's id.
    public private(set) var cleared: [String: String] = [:]
    /// The latest chain block each watcher reported on each chain, by `watcher/chain`.
    public private(set) var reportedBlocks: [String: UInt64] = [:]
    /// How far reports cover each chain without a gap, by chain (security review M4): the first
    /// final report accepted on a chain starts it; a later one extends it when it starts no
    /// later than the block after it and ends no earlier, and stamps it with its block time. A
    /// report past a gap, or not final, is kept (its flags count) but does not extend it.
    public private(set) var coverage: [String: WatchCoverage] = [:]
    /// Every accepted report and clearance, in order (the digest's view of the room).
    private(set) var journal = WriteJournal(room: "watch")

    /// The most counterparties flagged on one chain.
    public static let maximumFlagsPerChain = 10_000

    init() {}

    /// The latest block `watcher` reported on `chain`, if any.
    public func reportedBlock(by watcher: String, on chain: String) -> UInt64? { reportedBlocks[watcher + "/" + chain] }

    /// Of `flagging`, the appearances a report would add, in its order: each counterparty
    /// neither flagged already, nor cleared, nor earlier in the report.
    func additions(_ flagging: [(key: String, appearance: AddressAppearance)]) -> [(key: String, appearance: AddressAppearance)] {
        var seen: Set<String> = []
        return flagging.filter { appearances[$0.key] == nil && cleared[$0.key] == nil && seen.insert($0.key).inserted }
    }

    /// Records an accepted report of `watcher` on `chain` of blocks `fromBlock` through `block`,
    /// committed at block time `time` (seconds), the coverage it extends, and the first
    /// appearances it adds (`additions(_:)`), which the caller checked fit the chain's bound.
    mutating func record(
        _ report: WatchReport, by watcher: String, at time: Int64, flagging: [(key: String, appearance: AddressAppearance)]
    ) {
        reportedBlocks[watcher + "/" + report.chain] = report.block
        if report.isFinal {
            if let covered = coverage[report.chain] {
                if report.fromBlock <= covered.block &+ 1 && report.block >= covered.block {
                    coverage[report.chain] = WatchCoverage(block: report.block, reportedAt: time)
                }
            } else {
                coverage[report.chain] = WatchCoverage(block: report.block, reportedAt: time)
            }
        }
        let added = additions(flagging)
        for (key, appearance) in added { appearances[key] = appearance }
        if !added.isEmpty { flagsPerChain[report.chain, default: 0] += added.count }
        journal.record { w in
            w.append(string: "report")
            w.append(string: watcher)
            w.append(string: report.chain)
            w.append(report.fromBlock)
            w.append(report.block)
            w.append(report.isFinal)
            w.append(string: report.vaultsDigest)
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

    /// Clears the flag of `address` (normalized) on `chain` by operation `operationId`; later
    /// reports never flag it again. Refuses an address that is not flagged.
    mutating func clear(chain: String, address: String, operationId: String) throws(GovernanceError) {
        let key = chain + "/" + address
        guard appearances.removeValue(forKey: key) != nil else {
            throw GovernanceError(.invalidChange, "\(address.printable(limit: 64)) is not flagged as poisoned on \(chain.printable(limit: 32))")
        }
        flagsPerChain[chain, default: 1] -= 1
        cleared[key] = operationId
        journal.record { w in
            w.append(string: "clear")
            w.append(string: key)
            w.append(string: operationId)
        }
    }

    /// How many counterparties are flagged.
    public var count: Int { appearances.count }
}
