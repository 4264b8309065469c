import CustosCore
import CustosIdentity
import CustosPolicy

/// The watch room of the replicated state: what watcher bots reported of the vaults' history on
/// each chain. For every counterparty (by `PolicyRequest.destinationKey`: chain and normalized
/// address) it keeps the first zero-value or dust transfer reported with it
/// (`AddressAppearance`, with the watcher that reported it), which makes a transfer to it
/// "poisoned" until the quorum clears it. It changes only through accepted `watch.report`
/// entries, and a report only ever adds a first appearance: a transfer that is not dust clears
/// nothing, so a lying watcher can make decisions stricter, never looser. Only the quorum clears a flag (`clearWatchFlag`, governed
/// as a policy change), and a cleared address is never flagged again.
///
/// The room is bounded, and a report is never refused for being over the bound (security review
/// H1: one transaction emitting 10,000 zero-value `Transfer(vault, x, 0)` events used to fill
/// the room and stop every later report). One transaction flags at most
/// `maximumFlagsPerTransaction` counterparties on a chain with their `AddressAppearance`, and a
/// chain holds at most `maximumFlagsPerChain` of those. Every dust counterparty beyond either
/// bound goes into the chain's flood set (`WatchFloodSet`, third review H-2: an overflow that
/// made every address outside the address book unknown cost the attacker a dollar), and is
/// poisoned like a flagged one, naming its flood. Only a counterparty the set has no room for
/// (`floodBudget` spent) marks the chain overflowed (`WatchOverflow`): coverage still advances,
/// flagged addresses and flood members stay poisoned, address-book entries stay usable, and the
/// poisoned test of any other address is unknown there (fails closed) until the quorum clears
/// the overflow (`WatchClearance`), which clears no flood member.
public struct WatchBook: Sendable, Codable {
    /// The first zero-value or dust transfer with each counterparty, by chain and address.
    public private(set) var appearances: [String: AddressAppearance] = [:]
    /// The same counterparty as a second watcher reported it, by chain and address, for the
    /// flagged ones another watcher reported first (review helper-64 M2): `reporter:BOT` of the
    /// first leaves the flag, attributed to the second (its transfer, block and transaction).
    /// One per flag, so the room stays bounded; a third watcher's report of it adds nothing.
    public private(set) var corroborations: [String: AddressAppearance] = [:]
    /// How many counterparties are flagged on each chain.
    public private(set) var flagsPerChain: [String: Int] = [:]
    /// Flags the quorum cleared, by chain and address: the clearing operation's id.
    public private(set) var cleared: [String: String] = [:]
    /// The latest chain block each watcher reported on each chain, by `watcher/chain`.
    public private(set) var reportedBlocks: [String: UInt64] = [:]
    /// How far each watcher's reports cover each chain without a gap, by chain, then watcher
    /// (security review M4, H2; per watcher since review helper-58 M2): a range whose every part
    /// the watcher committed in order (`progress`) starts its coverage of a chain, or extends it
    /// when it starts exactly at the block after it (whose parent, every node checked, is the
    /// block its coverage ended on: third review M2, fourth review), and stamps it with the
    /// chain's timestamp of its last block and the block time of the report. A report past a
    /// gap, one overlapping the watcher's coverage (its parent never checked), or a part of a
    /// range that is not complete, is kept (its flags count) but does not extend it; another
    /// watcher's coverage moves nothing of it. The poisoned test reads the chain's
    /// `EffectiveWatchCoverage` of the current watchers' (`ReplicatedState.watchCoverages`).
    public private(set) var coverages: [String: [String: WatchCoverage]] = [:]
    /// The highest effective block each chain's coverage reached (`EffectiveWatchCoverage.block`),
    /// by chain, reset only by the quorum's `coverage` clearance (review of watch6 M1): a
    /// watcher's first range starts its coverage only at or below the block after it, so a
    /// watcher joining late (one replaced by another starting at the head) must read every block
    /// since the mark, and no block past it is attested by fewer than `poisoning.min_watchers`.
    public private(set) var marks: [String: UInt64] = [:]
    /// The run of parts of the range each watcher is reporting, by `watcher/chain`.
    private(set) var progress: [String: WatchRangeProgress] = [:]
    /// How many flags each transaction planted, by `chain/transaction`.
    private(set) var flagsPerTransaction: [String: Int] = [:]
    /// The dust counterparties beyond the detailed flags, by chain (`WatchFloodSet`).
    public private(set) var floodSets: [String: WatchFloodSet] = [:]
    /// Chains with dust counterparties left out (their flood set full), by chain.
    public private(set) var overflows: [String: WatchOverflow] = [:]
    /// The most members a chain's flood set holds (`WatchFloodSet.defaultBudget`; a test sets
    /// fewer to spend it).
    var floodBudget = WatchFloodSet.defaultBudget
    /// The most flood transactions with their own record per chain
    /// (`WatchFloodSet.defaultRecordCap`; a test sets fewer to reach it).
    var floodRecordCap = WatchFloodSet.defaultRecordCap
    /// The nonces of each watcher's report envelopes still inside the clock-skew window, so that
    /// a gateway cannot post an accepted report again (security review M1), by watcher: each
    /// bounded on its own (`replayCapacity`), so a watcher that fills its cache gets only its own
    /// reports refused until its nonces age out, never another watcher's (one cache shared by
    /// every watcher let one fill it for all).
    private(set) var replayCaches: [String: ReplayCache] = [:]
    /// The most nonces one watcher's cache holds (`replayCapacityPerWatcher`; a test sets fewer).
    var replayCapacity = WatchBook.replayCapacityPerWatcher
    /// Every accepted report and clearance, in order (the digest's view of the room).
    private(set) var journal = WriteJournal(room: "watch")

    /// The most report nonces one watcher has inside the clock-skew window: at a report a second,
    /// far more than a watcher posts (a range per block and a heartbeat).
    public static let replayCapacityPerWatcher = 10_000

    /// `watcher`'s replay cache, empty (of `replayCapacity`) before its first report.
    func replayCache(of watcher: String) -> ReplayCache { replayCaches[watcher] ?? ReplayCache(capacity: replayCapacity) }

    /// The most counterparties flagged on one chain.
    public static let maximumFlagsPerChain = 10_000
    /// The most counterparties one transaction flags on a chain.
    public static let maximumFlagsPerTransaction = 16

    init() {}

    /// The latest block `watcher` reported on `chain`, if any.
    public func reportedBlock(by watcher: String, on chain: String) -> UInt64? { reportedBlocks[watcher + "/" + chain] }

    /// How far `watcher`'s own reports cover `chain`, if at all.
    public func coverage(by watcher: String, on chain: String) -> WatchCoverage? { coverages[chain]?[watcher] }

    /// The coverages of the watchers among `bots` that are active and hold the `watcher` role,
    /// by chain, then watcher: a removed watcher's coverage counts no more.
    func coverages(of bots: [String: GovernedBot]) -> [String: [String: WatchCoverage]] {
        var current: [String: [String: WatchCoverage]] = [:]
        for (chain, byWatcher) in coverages {
            let kept = byWatcher.filter { bots[$0.key].map { $0.active && $0.roles.contains(WatchEntry.watcherRole) } ?? false }
            if !kept.isEmpty { current[chain] = kept }
        }
        return current
    }

    /// What a report's `flagging` on `chain` does to the room, in its order, each counterparty
    /// once: the appearances it adds (neither flagged already, nor a flood's member, nor
    /// cleared), and the flagged ones it corroborates (flagged from another watcher's report, not
    /// yet corroborated, not by `watcher`).
    func additions(
        _ flagging: [(key: String, appearance: AddressAppearance)], by watcher: String, on chain: String
    ) -> (added: [(key: String, appearance: AddressAppearance)], corroborating: [(key: String, appearance: AddressAppearance)]) {
        var seen: Set<String> = []
        let set = floodSets[chain]
        var added: [(key: String, appearance: AddressAppearance)] = []
        var corroborating: [(key: String, appearance: AddressAppearance)] = []
        for (key, appearance) in flagging where cleared[key] == nil && seen.insert(key).inserted {
            if let held = appearances[key] {
                if held.reporter != watcher && corroborations[key] == nil { corroborating.append((key, appearance)) }
            } else if set?.contains(key) != true {
                added.append((key, appearance))
            }
        }
        return (added, corroborating)
    }

    /// Records an accepted report of `watcher` on `chain` of blocks `fromBlock` through `block`,
    /// committed at block time `time` (seconds), its envelope's `nonce` (in `replayCache`, the
    /// watcher's cache with it): the run of parts it continues, the watcher's own coverage a
    /// completed run extends, the flags and flood members it corroborates (another watcher's,
    /// review helper-64 M2), and
    /// the first appearances it adds (`additions(_:by:on:)`) within the bounds per transaction and
    /// per chain; a counterparty beyond them goes into the chain's flood set, in report order,
    /// and one the set has no room for is counted in the chain's overflow mark. Returns how many
    /// it flagged one by one.
    mutating func record(
        _ report: WatchReport, by watcher: String, nonce: String, at time: Int64, flagging: [(key: String, appearance: AddressAppearance)],
        replayCache: ReplayCache
    ) -> Int {
        replayCaches[watcher] = replayCache
        let chain = report.chain
        let run = watcher + "/" + chain
        reportedBlocks[run] = max(reportedBlocks[run] ?? 0, report.block)
        var current = report.part == 1 ? WatchRangeProgress(first: report) : progress[run]
        if let underway = current, underway.continues(with: report) { current?.committed = report.part } else { current = nil }
        var extended = false
        if let completed = current, completed.committed == completed.parts {
            progress[run] = nil
            let own = coverages[chain]?[watcher]
            // Only the range right after the watcher's own coverage, whose parent hash
            // `checkWatch` held against its covered block's; one overlapping it is taken for its
            // flags alone.
            // A first range starts the coverage only at or below the block after the chain's
            // mark (the blocks since it are the ones it must attest with the others).
            extended = own.map { report.fromBlock == $0.block &+ 1 } ?? marks[chain].map { report.fromBlock <= $0 &+ 1 } ?? true
            if extended {
                coverages[chain, default: [:]][watcher] = WatchCoverage(
                    block: report.block, since: own?.since ?? report.fromBlock, blockHash: report.blockHash, blockTime: report.blockTime, reportedAt: time,
                    reporter: watcher)
            }
        } else {
            progress[run] = current
        }
        var added: [(key: String, appearance: AddressAppearance)] = []
        var flooded = 0
        var unflagged = 0
        let (additions, corroborating) = additions(flagging, by: watcher, on: chain)
        for (key, appearance) in corroborating { corroborations[key] = appearance }
        // A flood member another watcher reported first is corroborated by the set itself.
        let corroboratedBefore = floodSets[chain]?.corroboratedCount ?? 0
        for (key, appearance) in flagging where appearances[key] == nil && cleared[key] == nil && floodSets[chain]?.contains(key) == true {
            if let hash = TransactionHash(hex: appearance.transaction) { floodSets[chain]?.corroborate(key, transaction: hash, block: appearance.block, reporter: watcher) }
        }
        let floodCorroborated = (floodSets[chain]?.corroboratedCount ?? 0) - corroboratedBefore
        for (key, appearance) in additions {
            let transaction = chain + "/" + appearance.transaction
            let planted = flagsPerTransaction[transaction] ?? 0
            if planted < Self.maximumFlagsPerTransaction && (flagsPerChain[chain] ?? 0) < Self.maximumFlagsPerChain {
                appearances[key] = appearance
                flagsPerChain[chain, default: 0] += 1
                flagsPerTransaction[transaction] = planted + 1
                added.append((key, appearance))
                continue
            }
            // A ground address sharing a cleared one's fingerprint is not added (fourth review M2).
            if floodSets[chain]?.isCleared(key) == true { continue }
            if floodSets[chain] == nil { floodSets[chain] = newFloodSet(chain) }
            if let hash = TransactionHash(hex: appearance.transaction),
               floodSets[chain]?.insert(key, transaction: hash, block: appearance.block, reporter: watcher) == true {
                flooded += 1
                continue
            }
            unflagged += 1
            if var overflow = overflows[chain] {
                overflow.unflagged = overflow.unflagged &+ 1
                overflows[chain] = overflow
            } else {
                overflows[chain] = WatchOverflow(block: appearance.block, transaction: appearance.transaction, unflagged: 1)
            }
        }
        journal.record { w in
            w.append(string: "report")
            w.append(string: watcher)
            w.append(string: nonce)
            w.append(string: chain)
            w.append(report.fromBlock)
            w.append(report.block)
            w.append(string: report.blockHash)
            w.append(string: report.parentHash ?? "")
            w.append(UInt64(bitPattern: report.blockTime))
            w.append(UInt32(report.part))
            w.append(UInt32(report.parts))
            w.append(extended)
            w.append(string: report.vaultsDigest)
            Self.append(added, to: &w)
            // The flags it corroborated (review helper-64 M2), and the flood members.
            Self.append(corroborating, to: &w)
            w.append(UInt32(floodCorroborated))
            w.append(UInt32(flooded))
            w.append(UInt32(unflagged))
            w.append(UInt32(floodSets[chain]?.count ?? 0))
            w.append(lengthPrefixed: floodSets[chain]?.digest ?? [])
        }
        return added.count
    }

    /// Appends `flags` to a journal write: their count, then each one's key and what decides and
    /// is shown of its appearance, but not the wording of the transfer (it may change).
    private static func append(_ flags: [(key: String, appearance: AddressAppearance)], to w: inout CanonicalWriter) {
        w.append(UInt32(flags.count))
        for (key, a) in flags {
            w.append(string: key)
            w.append(UInt64(bitPattern: a.reportedAt))
            w.append(string: a.vaultAddress)
            w.append(a.incoming)
            w.append(a.block)
            w.append(string: a.transaction)
        }
    }

    /// Raises `chain`'s mark to `block` (the effective coverage's block after a report), never lowers it.
    mutating func raiseMark(on chain: String, to block: UInt64) {
        if block > marks[chain] ?? 0 { marks[chain] = block }
    }

    /// Clears `clearance` on `chain` by operation `operationId` (`WatchClearance`); refuses one
    /// that clears nothing, naming it.
    mutating func clear(chain: String, _ clearance: WatchClearance, operationId: String) throws(GovernanceError) {
        func nothing(_ what: String) -> GovernanceError { GovernanceError(.invalidChange, "\(what) on \(chain.printable(limit: 32))") }
        var removed = 0
        var kept = 0
        func add(_ counts: (removed: Int, kept: Int)) {
            removed += counts.removed
            kept += counts.kept
        }
        switch clearance {
        case .address(let address):
            let key = chain + "/" + address
            if let appearance = appearances[key] {
                remove(key, appearance, chain: chain)
                corroborations[key] = nil
            } else if floodSets[chain]?.contains(key) != true {
                throw nothing("\(address.printable(limit: 64)) is not flagged as poisoned")
            }
            // The flood set too forgets it for good, and whatever shares its fingerprint (fourth
            // review M2: a second ground address must not deny it again); a chain without a set
            // gets none now (`newFloodSet` carries the clearance into the one a flood makes).
            _ = floodSets[chain]?.clear(key)
            cleared[key] = operationId
            removed = 1
        case .transaction(let hash):
            let parsed = TransactionHash(hex: hash)
            add(removeAppearances(on: chain) { $0.transaction == hash })
            add(floodSets[chain]?.remove { $0.transaction == parsed } ?? (0, 0))
            guard removed + kept > 0 else {
                let summarized = floodSets[chain]?.summaries.reduce(0) { $0 + $1.members } ?? 0
                throw nothing("transaction \(hash) planted no poisoned flag" + (summarized == 0 ? "" : " with its own record (\(summarized) flood "
                    + "member\(summarized == 1 ? " is" : "s are") kept beyond the flood records without their transaction: clear them by "
                    + "below:BLOCK past their last block or one by one)"))
            }
        case .below(let block):
            // A summary record's members leave only once the block is past all of them.
            add(removeAppearances(on: chain) { $0.block < block })
            add(floodSets[chain]?.remove { $0.lastBlock < block } ?? (0, 0))
            guard removed + kept > 0 else { throw nothing("no poisoned flag is from a block before \(block)") }
        case .reporter(let bot):
            // What another watcher reported too stays, attributed to it (review helper-64 M2).
            add(removeAppearances(on: chain) { $0.reporter == bot })
            add(floodSets[chain]?.remove { $0.reporter == bot } ?? (0, 0))
            // Its coverage too (review helper-68 L3): a compromised key's coverage counts no more.
            let covered = dropCoverage(of: bot, on: chain)
            guard removed + kept > 0 || covered else { throw nothing("watcher \(bot) planted no poisoned flag and covers no block") }
        case .overflow:
            // The flood set stays: its members are poisoned still (third review H-2).
            guard overflows.removeValue(forKey: chain) != nil else { throw nothing("the watch room did not overflow") }
        case .coverage:
            guard coverages.removeValue(forKey: chain) != nil else { throw nothing("no report covers any block") }
            // Every watcher's run and last block on the chain start again (keys "watcher/chain"),
            // and so does the mark.
            progress = progress.filter { !$0.key.hasSuffix("/" + chain) }
            reportedBlocks = reportedBlocks.filter { !$0.key.hasSuffix("/" + chain) }
            marks[chain] = nil
        case .watcherCoverage(let bot):
            // One watcher's coverage, run and last block; the mark stays, so it starts again at
            // or below the block after it (review of watch6 L1).
            guard dropCoverage(of: bot, on: chain) else { throw nothing("watcher \"\(bot.printable(limit: 64))\" covers no block") }
        }
        journal.record { w in
            w.append(string: "clear")
            w.append(string: chain)
            w.append(string: clearance.text)
            w.append(UInt32(removed))
            w.append(UInt32(kept))
            w.append(string: operationId)
            w.append(UInt32(floodSets[chain]?.count ?? 0))
            w.append(lengthPrefixed: floodSets[chain]?.digest ?? [])
        }
    }

    /// Drops `bot`'s coverage of `chain`, its report under way and its last block: it starts again
    /// at or below the block after the chain's mark. Returns whether it covered any block.
    private mutating func dropCoverage(of bot: String, on chain: String) -> Bool {
        let covered = coverages[chain]?.removeValue(forKey: bot) != nil
        if coverages[chain]?.isEmpty == true { coverages[chain] = nil }
        progress[bot + "/" + chain] = nil
        reportedBlocks[bot + "/" + chain] = nil
        return covered
    }

    /// Forgets watcher `bot` when the quorum removes the bot or rotates its key: its coverage of
    /// every chain (`dropCoverage`; review helper-68 L3: what the old key attested counts no
    /// more, and a rotated watcher reads again every block since the chain's mark), and its
    /// replay cache (review of watch8 L5: an envelope the old key signed fails verification, so
    /// its nonces guard nothing; a removed bot's are never read again). Journals the chains it
    /// dropped and whether it held a cache, by `operationId`.
    mutating func forget(watcher bot: String, operationId: String) {
        let chains = Set(coverages.keys).union(progress.keys.compactMap { Self.chain(of: $0, watcher: bot) })
            .union(reportedBlocks.keys.compactMap { Self.chain(of: $0, watcher: bot) }).sorted()
        var dropped: [String] = []
        for chain in chains where dropCoverage(of: bot, on: chain) { dropped.append(chain) }
        let cached = replayCaches.removeValue(forKey: bot) != nil
        guard !dropped.isEmpty || cached else { return }
        journal.record { w in
            w.append(string: "forget watcher")
            w.append(string: bot)
            w.append(strings: dropped)
            w.append(cached)
            w.append(string: operationId)
        }
    }

    /// The chain of a `watcher/chain` key, if it is `watcher`'s.
    private static func chain(of key: String, watcher: String) -> String? {
        key.hasPrefix(watcher + "/") ? String(key.dropFirst(watcher.count + 1)) : nil
    }

    /// An empty flood set for `chain` that already refuses the fingerprints of the addresses the
    /// quorum cleared on it (in address order), so that an address cleared before the chain's
    /// first flood is not denied by another one ground onto its fingerprint.
    private func newFloodSet(_ chain: String) -> WatchFloodSet {
        var set = WatchFloodSet(chain: chain, budget: floodBudget, recordCap: floodRecordCap)
        let prefix = chain + "/"
        for key in cleared.keys.filter({ $0.hasPrefix(prefix) }).sorted() { _ = set.clear(key) }
        return set
    }

    /// Removes every flag on `chain` whose appearance matches, unless its corroboration (another
    /// watcher's report of it) does not: that flag stays, attributed to the corroborating report
    /// (review helper-64 M2); a matching corroboration alone is dropped. Returns how many flags
    /// left and how many matching ones stayed.
    private mutating func removeAppearances(on chain: String, where matches: (AddressAppearance) -> Bool) -> (removed: Int, kept: Int) {
        let prefix = chain + "/"
        var removed = 0
        var kept = 0
        for (key, appearance) in appearances where key.hasPrefix(prefix) {
            let second = corroborations[key]
            let secondMatches = second.map(matches) ?? false
            if matches(appearance) {
                remove(key, appearance, chain: chain)
                corroborations[key] = nil
                if let second, !secondMatches {
                    appearances[key] = second
                    flagsPerChain[chain, default: 0] += 1
                    flagsPerTransaction[chain + "/" + second.transaction, default: 0] += 1
                    kept += 1
                } else {
                    removed += 1
                }
            } else if secondMatches {
                corroborations[key] = nil
                kept += 1
            }
        }
        return (removed, kept)
    }

    private mutating func remove(_ key: String, _ appearance: AddressAppearance, chain: String) {
        appearances[key] = nil
        flagsPerChain[chain, default: 1] -= 1
        let transaction = chain + "/" + appearance.transaction
        if let planted = flagsPerTransaction[transaction] { flagsPerTransaction[transaction] = planted > 1 ? planted - 1 : nil }
    }

    /// How many counterparties are flagged one by one.
    public var count: Int { appearances.count }

    /// How many counterparties the flood sets hold, on every chain.
    public var floodCount: Int { floodSets.values.reduce(0) { $0 + $1.count } }
}
