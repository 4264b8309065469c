import BigInt
import Crypto
import CustosChains
import CustosCore
import CustosIdentity
import CustosPolicy
@testable import CustosState
import Foundation
import Testing

/// Security reviews of the watch room, as an attacker would try them: a flood of zero-value
/// transfers never stops the reports, its counterparties are poisoned (the flood set) and the
/// chain overflows only when the set's budget is spent; a range counts as covered only with every part; a false flag is cleared
/// only by the quorum and stays cleared; a report that hides a vault address is refused; the
/// room records how far each chain is covered without a gap, and with `poisoning.max_staleness`
/// a silenced watcher makes the poisoned test fail closed instead of reading as "nothing
/// happened".
extension WatchRoomTests {
    @Test func everyAppearanceNamesItsWatcherAndOnlyTheQuorumClearsAFlagForGood() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        // transferFrom(vault, poisoner, 0): anyone can make it, for any address.
        #expect(try report(&c, [Self.transfer(v, amount: 0, incoming: false)]) == .watched(chain: "ethereum", block: 100, flagged: 1))
        #expect(c.state.watch(.development).appearances["ethereum/" + Self.poisoner]?.reporter == "watcher-1")
        let denied = try pay(&c, Self.poisoner)
        #expect(denied.decision.warnings.first?.text.contains("reported by watcher-1 at block time") == true)
        try c.govern(.clearWatchFlag(chain: "ethereum", target: Self.poisoner.uppercased().replacing("0X", with: "0x")))
        #expect(c.state.watch(.development).appearances["ethereum/" + Self.poisoner] == nil)
        #expect(c.state.watch(.development).cleared["ethereum/" + Self.poisoner] != nil)
        // No flood set is made for it (review helper-54 "Also")...
        #expect(c.state.watch(.development).floodSets["ethereum"] == nil)
        #expect(try pay(&c, Self.poisoner).outcome == .allow)
        // The same trick again does not bring the flag back.
        #expect(try report(&c, [Self.transfer(v, amount: 0, incoming: false, block: 101)], block: 101)
            == .watched(chain: "ethereum", block: 101, flagged: 0))
        #expect(try pay(&c, Self.poisoner).outcome == .allow)
        // ...but the one a later flood makes keeps its fingerprint out (fourth review M2: no
        // ground address sharing it makes it a flood member again).
        let flood = (0...WatchBook.maximumFlagsPerTransaction).map {
            Self.transfer(v, from: Self.counterparty($0), amount: 0, incoming: false, block: 102, transaction: Self.transaction(3))
        }
        #expect(try report(&c, flood, block: 102) == .watched(chain: "ethereum", block: 102, flagged: WatchBook.maximumFlagsPerTransaction))
        #expect(c.state.watch(.development).floodSets["ethereum"]?.count == 1)
        #expect(c.state.watch(.development).floodSets["ethereum"]?.isCleared("ethereum/" + Self.poisoner) == true)
        // Clearing an address that is not flagged is refused when proposed, naming it.
        let (p, refused) = try c.propose(.clearWatchFlag(chain: "ethereum", target: "0x8888888888888888888888888888888888888888"), by: "frank")
        #expect(c.status(p) == nil)
        #expect(Cluster.reason(refused).contains("0x8888888888888888888888888888888888888888 is not flagged as poisoned on ethereum"), "\(refused)")
        // Nor may one admin clear a flag alone: it is decided as a policy change.
        #expect(GovernanceChange.clearWatchFlag(chain: "ethereum", target: Self.poisoner).operation.action == .changePolicy)
    }

    /// A counterparty address made of `i`.
    static func counterparty(_ i: Int) -> String { "0x" + String(repeating: "0", count: 32) + String(format: "%08x", i + 1) }

    /// A transaction hash made of `i`.
    static func transaction(_ i: Int) -> String { "0x" + String(repeating: "0", count: 56) + String(format: "%08x", i + 1) }

    /// Second review H1 and third review H-2, as the attacker: the detailed flags fill up from
    /// many transactions (each within the bound per transaction); the next dust is not refused
    /// and does not overflow the chain: it goes into the flood set, poisoned, while an address
    /// outside it still pays. Clearing the flags before a block leaves the later ones.
    @Test func aFullRoomOfFlagsPutsMoreDustInTheFloodSetAndNeverOverflows() throws {
        var c = try cluster()
        try c.govern(.changePolicy(yaml: Self.policy(version: 4, poisoning: "{dust_usd: 1, dust: {USDC: 1}, max_staleness: 1h, min_watchers: 1}")))
        let v = try Self.vaultAddress(c)
        var i = 0
        var block: UInt64 = 100
        while i < WatchBook.maximumFlagsPerChain {
            // Each report: 24 zero-value transfers from two transactions of at most 16 each.
            let batch = (0..<WatchEntry.maximumTransfers).map {
                Self.transfer(v, from: Self.counterparty(i + $0), amount: 0, block: block, transaction: Self.transaction((i + $0) / 16))
            }
            guard case .watched(_, _, let added) = try report(&c, batch, from: block, block: block) else { Issue.record("report \(i) refused"); return }
            #expect(added == min(WatchEntry.maximumTransfers, WatchBook.maximumFlagsPerChain - i))
            i += WatchEntry.maximumTransfers
            block += 1
        }
        #expect(c.state.watch(.development).flagsPerChain["ethereum"] == WatchBook.maximumFlagsPerChain)
        // The detailed flags were full before the last report's last transfers: those are flooded.
        #expect(c.state.watch(.development).floodSets["ethereum"]?.count == i - WatchBook.maximumFlagsPerChain)
        #expect(c.state.watch(.development).overflows.isEmpty, "the chain did not overflow")
        // More dust is taken, flooded, and the coverage advances.
        let late = Self.transaction(9_999)
        #expect(try report(&c, [Self.transfer(v, from: Self.counterparty(i), amount: 0, block: block, transaction: late)],
                           from: block, block: block) == .watched(chain: "ethereum", block: block, flagged: 0))
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == block)
        #expect(c.state.watch(.development).floodSets["ethereum"]?.flood(of: "ethereum/" + Self.counterparty(i)) == WatchFlood(transaction: TransactionHash(hex: late), reporter: "watcher-1", block: block, members: 1))
        // A flagged address is denied, so is a flooded one (naming its flood); one nobody
        // flagged pays; so does the address book.
        #expect(try pay(&c, Self.counterparty(0)).decision.reason == .deniedByRule("deny-poisoned"))
        let flooded = try pay(&c, Self.counterparty(i))
        #expect(flooded.decision.reason == .deniedByRule("deny-poisoned"), "\(flooded.decision)")
        #expect(flooded.decision.warnings.first?.text.contains("in a flood of 1 dust transfers on ethereum: transaction \(late)") == true)
        #expect(try pay(&c, "0x8888888888888888888888888888888888888888").outcome == .allow)
        #expect(try pay(&c, Cluster.kraken).outcome == .allow)
        // The quorum clears every flag and flood member before the last blocks.
        try c.govern(.clearWatchFlag(chain: "ethereum", target: "below:\(block - 1)"))
        #expect(c.state.watch(.development).flagsPerChain["ethereum"] == 24 - (i - WatchBook.maximumFlagsPerChain))
        #expect(try pay(&c, Self.counterparty(0)).outcome == .allow, "cleared")
        #expect(try pay(&c, Self.counterparty(i)).decision.reason == .deniedByRule("deny-poisoned"), "a later flood member is not cleared")
        // A clearance that names nothing is refused; so is an overflow that never happened.
        let (_, never) = try c.propose(.clearWatchFlag(chain: "ethereum", target: "overflow"), by: "frank")
        #expect(Cluster.reason(never).contains("the watch room did not overflow on ethereum"), "\(never)")
        let (_, nonsense) = try c.propose(.clearWatchFlag(chain: "ethereum", target: "everything"), by: "frank")
        #expect(Cluster.reason(nonsense).contains("is not what a watch flag clearance names"), "\(nonsense)")
    }

    /// Reports the 10,000 zero-value events of `flood` in block 101 with counterparties
    /// `counterparty(first + n)`, in parts as the watcher posts them; returns how many were flagged
    /// one by one, recording an issue for a part refused.
    func reportFlood(_ c: inout Cluster, _ flood: String, first: Int = 0, count: Int = 10_000) throws -> Int {
        let v = try Self.vaultAddress(c)
        let events = (0..<count).map {
            Self.transfer(v, from: Self.counterparty(first + $0), amount: 0, token: Cluster.usdc, incoming: false, block: 101, transaction: flood)
        }
        let parts = stride(from: 0, to: events.count, by: WatchEntry.maximumTransfers).map { Array(events[$0..<min($0 + WatchEntry.maximumTransfers, events.count)]) }
        var flagged = 0
        for (n, part) in parts.enumerated() {
            guard case .watched(_, _, let added) = try report(&c, part, from: 101, block: 101, part: n + 1, parts: parts.count) else {
                Issue.record("part \(n + 1) refused"); return flagged
            }
            flagged += added
        }
        return flagged
    }

    /// Third review H-2, as the attacker: one transaction emits 10,000 zero-value
    /// `Transfer(vault, x, 0)` events (transferFrom with value 0 needs no allowance, about a
    /// dollar), which the watcher reports in 417 parts. Every part is taken, the first 16
    /// counterparties are flagged and the rest go into the flood set; the chain is NOT
    /// overflowed: known entries pay, an address outside the flood pays, every flood address is
    /// refused naming the flood, and the coverage advances. Clearing the flood's transaction
    /// clears its members.
    @Test func aFloodOfTenThousandZeroValueEventsIsPoisonedAndNothingElseIs() throws {
        var c = try cluster()
        try c.govern(.changePolicy(yaml: Self.policy(version: 4, poisoning: "{dust_usd: 1, dust: {USDC: 1}, max_staleness: 1h, min_watchers: 1}")))
        #expect(try report(&c, [], from: 90, block: 100) == .watched(chain: "ethereum", block: 100, flagged: 0))
        let flood = Self.transaction(7)
        #expect(try reportFlood(&c, flood) == WatchBook.maximumFlagsPerTransaction)
        let set = try #require(c.state.watch(.development).floodSets["ethereum"])
        #expect(set.count == 10_000 - WatchBook.maximumFlagsPerTransaction)
        #expect(set.transactions == [WatchFlood(transaction: TransactionHash(hex: flood), reporter: "watcher-1", block: 101, members: 10_000 - WatchBook.maximumFlagsPerTransaction)])
        #expect(c.state.watch(.development).overflows.isEmpty, "the chain is not overflowed")
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 101, "coverage does not stop")
        #expect(c.state.watch(.development).flagsPerChain["ethereum"] == WatchBook.maximumFlagsPerTransaction)
        // Every flood address is refused; the ones beyond the detailed flags name the flood.
        let policy = c.state.policy
        // The development vault's: its watchers' room (issue 14 item 5).
        let snapshot = c.state.snapshot(for: PolicyRequest(kind: .transfer, initiator: "alice", vault: "hot", chain: "ethereum", destination: Self.counterparty(0)), at: c.state.time)
        for n in 0..<10_000 {
            let request = PolicyRequest(kind: .transfer, initiator: "alice", vault: "hot", chain: "ethereum", destination: Self.counterparty(n))
            guard policy.destinationWarnings(for: request, in: snapshot).contains(where: { $0.kind == .poisoned }) else {
                Issue.record("flood address \(n) reads clean"); break
            }
        }
        let last = try pay(&c, Self.counterparty(9_999))
        #expect(last.decision.reason == .deniedByRule("deny-poisoned"), "\(last.decision)")
        #expect(last.decision.warnings.first?.text.contains("in a flood of \(10_000 - WatchBook.maximumFlagsPerTransaction) dust transfers on ethereum: transaction \(flood) (block 101, reported by watcher-1)") == true,
                "\(last.decision.warnings)")
        #expect(try pay(&c, Self.counterparty(0)).decision.reason == .deniedByRule("deny-poisoned"))
        #expect(try pay(&c, "0x8888888888888888888888888888888888888888").outcome == .allow, "an address outside the flood still pays")
        #expect(try pay(&c, Cluster.kraken).outcome == .allow, "the address book still pays")
        // Later reports are taken and extend the coverage.
        #expect(try report(&c, [], from: 102, block: 110) == .watched(chain: "ethereum", block: 110, flagged: 0))
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 110)
        // The quorum clears one flood address alone, for good; then the flood by its hash.
        try c.govern(.clearWatchFlag(chain: "ethereum", target: Self.counterparty(5_000)))
        #expect(try pay(&c, Self.counterparty(5_000)).outcome == .allow)
        // A later flood naming it again adds nothing for it, and overflows nothing.
        #expect(try report(&c, [Self.transfer(Self.vaultAddress(c), from: Self.counterparty(5_000), amount: 0, block: 111, transaction: Self.transaction(8))],
                           from: 111, block: 111) == .watched(chain: "ethereum", block: 111, flagged: 0))
        #expect(try pay(&c, Self.counterparty(5_000)).outcome == .allow)
        #expect(try pay(&c, Self.counterparty(5_001)).decision.reason == .deniedByRule("deny-poisoned"))
        try c.govern(.clearWatchFlag(chain: "ethereum", target: flood))
        #expect(c.state.watch(.development).count == 0 && c.state.watch(.development).floodSets["ethereum"]?.count == 0)
        #expect(try pay(&c, Self.counterparty(9_999)).outcome == .allow)
    }

    /// Third review H-2, as the attacker: with the flood set's budget spent (set small here), the
    /// chain overflows, and only then: an address outside the flood is unknown (fails closed,
    /// naming the overflow), even for a destination paid before it, flood members stay refused,
    /// the address book pays. Clearing the overflow makes no flood address clean.
    @Test func onlyASpentFloodBudgetOverflowsAndClearingItCleansNoFloodAddress() throws {
        var c = try cluster()
        c.state.watches[.development, default: WatchBook()].floodBudget = 100
        try c.govern(.changePolicy(yaml: Self.policy(version: 4, poisoning: "{dust_usd: 1, dust: {USDC: 1}, max_staleness: 1h, min_watchers: 1}")))
        #expect(try report(&c, [], from: 90, block: 100) == .watched(chain: "ethereum", block: 100, flagged: 0))
        let first = Self.transaction(7)
        // 16 flagged and 100 flooded: the budget is spent exactly, nothing left out.
        #expect(try reportFlood(&c, first, count: 116) == WatchBook.maximumFlagsPerTransaction)
        #expect(c.state.watch(.development).floodSets["ethereum"]?.isFull == true)
        #expect(c.state.watch(.development).overflows.isEmpty, "a budget spent exactly leaves nothing out")
        // "Paid" before the overflow (review helper-54 M1, second review, as the attacker): a
        // real amount to one address, a zero-amount request to a look-alike, and one the next
        // flood flags; each was approved for signing, which proves no payment on the chain.
        let known = "0x8888888888888888888888888888888888888888"
        let zero = "0x7777777777777777777777777777777777777777"
        #expect(try pay(&c, known).outcome == .allow)
        let zeroPaid = try #require(Cluster.decided(try c.submit(c.signed(Cluster.evmTransfer(amount: "0.000000000000000001", to: zero), keyId: "risk-bot", key: bot))))
        #expect(c.state.requestBook.requests[zeroPaid.id]?.outcome == .allow)
        #expect(try pay(&c, Self.counterparty(1_005)).outcome == .allow)
        #expect(c.state.windows.book(.development).destinations["ethereum/" + known] != nil)
        c.now += 5_000
        // One more dust counterparty has no room: now the chain overflows.
        let second = Self.transaction(8)
        #expect(try reportFlood(&c, second, first: 1_000, count: 20) == WatchBook.maximumFlagsPerTransaction)
        let overflow = try #require(c.state.watch(.development).overflows["ethereum"])
        #expect(overflow.block == 101 && overflow.transaction == second && overflow.unflagged == 4)
        // While it lasts no destination outside the address book is exempt, paid before or not.
        for address in [known, zero, "0x9999999999999999999999999999999999999999"] {
            let refused = try pay(&c, address)
            #expect(refused.decision.reason == .deniedByRule("deny-poisoned"), "\(address): \(refused.decision)")
            #expect(refused.decision.applied.first?.failedClosed?.contains("the watch room of ethereum overflowed at block 101 (transaction \(second))") == true,
                    "\(refused.decision.applied)")
        }
        #expect(try pay(&c, Self.counterparty(1_005)).decision.reason == .deniedByRule("deny-poisoned"))
        #expect(try pay(&c, Self.counterparty(115)).decision.reason == .deniedByRule("deny-poisoned"))
        #expect(try pay(&c, Cluster.kraken).outcome == .allow)
        // Clearing the overflow: the stranger pays, every flood address stays refused.
        try c.govern(.clearWatchFlag(chain: "ethereum", target: "overflow"))
        #expect(c.state.watch(.development).overflows.isEmpty)
        #expect(try pay(&c, "0x9999999999999999999999999999999999999999").outcome == .allow)
        for n in [16, 50, 115] {
            let refused = try pay(&c, Self.counterparty(n))
            #expect(refused.decision.reason == .deniedByRule("deny-poisoned"), "flood address \(n): \(refused.decision)")
            #expect(refused.decision.warnings.first?.text.contains("transaction \(first)") == true)
        }
    }

    /// Second review M-1, third review H-2: many flood transactions grow the flood set by their
    /// members, each report is taken (none refused), each flood is named, and the count of
    /// flood transactions is kept per chain without scanning.
    @Test func manyFloodTransactionsAreEachTakenAndNamed() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        #expect(try report(&c, [], from: 90, block: 100) == .watched(chain: "ethereum", block: 100, flagged: 0))
        let count = 70
        let events = (0..<count).flatMap { t in
            (0...WatchBook.maximumFlagsPerTransaction).map { i in
                Self.transfer(v, from: Self.counterparty(t * 100 + i), amount: 0, token: Cluster.usdc, incoming: false, block: 101, transaction: Self.transaction(t))
            }
        }
        let parts = stride(from: 0, to: events.count, by: WatchEntry.maximumTransfers).map { Array(events[$0..<min($0 + WatchEntry.maximumTransfers, events.count)]) }
        var flagged = 0
        for (n, part) in parts.enumerated() {
            let outcome = try report(&c, part, from: 101, block: 101, part: n + 1, parts: parts.count)
            guard case .watched("ethereum", 101, let added) = outcome else { Issue.record("part \(n + 1): \(outcome)"); return }
            flagged += added
        }
        #expect(flagged == count * WatchBook.maximumFlagsPerTransaction)
        let set = try #require(c.state.watch(.development).floodSets["ethereum"])
        #expect(set.count == count && set.transactions.count == count, "each flood's one counterparty beyond the 16")
        #expect(set.transactions.allSatisfy { $0.members == 1 && $0.block == 101 })
        #expect(c.state.watch(.development).overflows.isEmpty)
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 101)
    }

    /// Second review M-2, as the attacker: after a reorg the watcher posts the range again with
    /// the new block hash; a gateway splicing a part of the first posting into the second leaves
    /// the coverage where it was.
    @Test func partsOfTwoPostingsOfARangeNeverCompleteIt() throws {
        var c = try cluster()
        #expect(try report(&c, [], from: 90, block: 100) == .watched(chain: "ethereum", block: 100, flagged: 0))
        let before = "0x" + String(repeating: "1", count: 64), after = "0x" + String(repeating: "2", count: 64)
        #expect(try report(&c, [], from: 101, block: 200, blockHash: before, part: 1, parts: 2) == .watched(chain: "ethereum", block: 200, flagged: 0))
        #expect(try report(&c, [], from: 101, block: 200, blockHash: after, part: 2, parts: 2) == .watched(chain: "ethereum", block: 200, flagged: 0))
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 100)
        for part in 1...2 { _ = try report(&c, [], from: 101, block: 200, blockHash: after, part: part, parts: 2) }
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 200)
    }

    /// Third review M2, as the attacker (or a reorg): a range right after the coverage whose
    /// parent block is not the covered block is refused, naming both hashes, and moves nothing;
    /// the range read from the right parent continues the coverage, and a report of blocks
    /// already covered is not asked for a parent it cannot be checked against.
    @Test func aRangeMustStartOnTheCoveredBlocksHash() throws {
        var c = try cluster()
        let covered = "0x" + String(repeating: "1", count: 64), reorged = "0x" + String(repeating: "2", count: 64)
        #expect(try report(&c, [], from: 1, block: 100, blockHash: covered) == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum")?.blockHash == covered)
        let v = try Self.vaultAddress(c)
        let refused = try report(&c, [Self.transfer(v, block: 101)], from: 101, block: 120, parentHash: reorged)
        #expect(Cluster.code(refused) == .watchRefused, "\(refused)")
        #expect(Cluster.reason(refused).contains("follow block 100 of hash \(reorged), but bot \"watcher-1\"'s coverage ends at block 100 of hash \(covered)"), "\(refused)")
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 100 && c.state.watch(.development).count == 0)
        #expect(try report(&c, [], from: 101, block: 120, parentHash: covered) == .watched(chain: "ethereum", block: 120, flagged: 0))
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 120 && c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum")?.blockHash == Self.blockHash)
        // A range of blocks already covered is taken for its flags, whatever parent it names.
        #expect(try report(&c, [Self.transfer(v, block: 110)], from: 105, block: 120, parentHash: reorged) == .watched(chain: "ethereum", block: 120, flagged: 1))
        // The wire form: a range from block 0 names no parent; any other names one.
        let body = WatchReport(chain: "ethereum", fromBlock: 5, block: 6, blockHash: Self.blockHash, parentHash: nil, blockTime: 1, vaults: [v], transfers: []).json
        #expect(throws: GovernanceError.self) { try WatchReport(json: body) }
    }

    /// Fourth review (M2 gap), as the attacker: after a reorg under the coverage, a range that
    /// starts inside the coverage and ends beyond it would escape the parent check (only a range
    /// starting right after the coverage names the covered block as its parent). It is taken for
    /// its flags alone and moves nothing: the coverage neither advances nor refreshes, so once it
    /// is stale a stranger is unknown; only the range right after it, from the covered block's
    /// hash, extends it.
    @Test func aRangeOverlappingTheCoverageIsTakenForItsFlagsAndExtendsNothing() throws {
        var c = try cluster()
        let covered = "0x" + String(repeating: "1", count: 64), reorged = "0x" + String(repeating: "2", count: 64)
        let start = Int64(c.now / 1000)
        #expect(try report(&c, [], from: 1, block: 100, blockTime: start, blockHash: covered) == .watched(chain: "ethereum", block: 100, flagged: 0))
        let v = try Self.vaultAddress(c)
        c.now += 3_601_000
        // Ending one block past the coverage, from inside it: taken, coverage unmoved.
        #expect(try report(&c, [], from: 100, block: 101, parentHash: reorged) == .watched(chain: "ethereum", block: 101, flagged: 0))
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 100)
        // Blocks 95–200 of the reorganised chain, the dust in block 150: flagged, coverage still unmoved.
        let overlapping = try report(&c, [Self.transfer(v, block: 150)], from: 95, block: 200, parentHash: reorged)
        #expect(overlapping == .watched(chain: "ethereum", block: 200, flagged: 1), "\(overlapping)")
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 100 && c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum")?.blockHash == covered)
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.blockTime == start, "not refreshed either")
        let stale = try pay(&c, "0x8888888888888888888888888888888888888888")
        #expect(stale.decision.applied.first?.failedClosed?.contains("the watch data for ethereum is stale: it covers blocks up to 100") == true,
                "\(stale.decision.applied)")
        // The range right after the coverage with the wrong parent is refused; with the right one, it extends.
        #expect(Cluster.code(try report(&c, [], from: 101, block: 200, parentHash: reorged)) == .watchRefused)
        #expect(try report(&c, [], from: 101, block: 200, parentHash: covered) == .watched(chain: "ethereum", block: 200, flagged: 0))
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 200)
        #expect(try pay(&c, "0x8888888888888888888888888888888888888888").outcome == .allow)
    }

    @Test func aReportMustCoverExactlyTheClustersVaultAddresses() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        // A gateway that hid a vault address from the watcher: the report covers none.
        let hidden = try report(&c, [], vaults: [])
        #expect(Cluster.code(hidden) == .watchRefused)
        #expect(Cluster.reason(hidden).contains("covers 0 vault addresses"))
        #expect(Cluster.reason(hidden).contains("not the 1 EVM vault address of the cluster"))
        // One that added an address of its own.
        let padded = try report(&c, [], vaults: [v, "0x4444444444444444444444444444444444444444"])
        #expect(Cluster.code(padded) == .watchRefused && Cluster.reason(padded).contains("covers 2 vault addresses"))
        #expect(c.state.watchCoverage(in: .development).isEmpty)
        // The exact set, in any case and order, is taken; an empty range is a report too.
        #expect(try report(&c, [], vaults: [v.uppercased().replacing("0X", with: "0x")]) == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum")
                == WatchCoverage(block: 100, blockHash: Self.blockHash, blockTime: Int64(c.now / 1000) - 1, reportedAt: Int64(c.now / 1000), reporter: "watcher-1"))
    }

    @Test func coverageGrowsOnlyWithoutAGap() throws {
        var c = try cluster()
        #expect(try report(&c, [], from: 50, block: 100) == .watched(chain: "ethereum", block: 100, flagged: 0))
        let first = WatchCoverage(block: 100, since: 50, blockHash: Self.blockHash, blockTime: Int64(c.now / 1000) - 1, reportedAt: Int64(c.now / 1000), reporter: "watcher-1")
        #expect(c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum") == first)
        // A report past a gap is kept but covers nothing.
        #expect(try report(&c, [], from: 150, block: 200, keyId: "watcher-1") == .watched(chain: "ethereum", block: 200, flagged: 0))
        #expect(c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum") == first)
        #expect(try report(&c, [], from: 101, block: 300) == .watched(chain: "ethereum", block: 300, flagged: 0))
        #expect(c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum")
                == WatchCoverage(block: 300, since: 50, blockHash: Self.blockHash, blockTime: Int64(c.now / 1000) - 1, reportedAt: Int64(c.now / 1000), reporter: "watcher-1"))
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.since == 50 && c.state.watchCoverage(in: .development)["ethereum"]?.block == 300)
    }

    /// Second review M1, as the attacker: staleness is the chain's time, not the watcher's
    /// liveness. A heartbeat of the covered block, or a report that does not move past the
    /// coverage, is taken but refreshes nothing; a report of an old block is stale as soon as
    /// it arrives; a block time ahead of the cluster's is refused; a gateway replaying an
    /// accepted report has it refused.
    @Test func stalenessFollowsTheChainsBlockTimeAndReportsMustMoveForward() throws {
        var c = try cluster()
        try c.govern(.changePolicy(yaml: Self.policy(version: 4, poisoning: "{dust_usd: 1, dust: {USDC: 1}, max_staleness: 1h, min_watchers: 1}")))
        let stranger = "0x8888888888888888888888888888888888888888"
        let start = Int64(c.now / 1000)
        // Blocks up to 100, of two hours ago, reported now: stale at once.
        #expect(try report(&c, [], from: 50, block: 100, blockTime: start - 7_200) == .watched(chain: "ethereum", block: 100, flagged: 0))
        let stale = try pay(&c, stranger)
        #expect(stale.decision.reason == .deniedByRule("deny-poisoned"))
        #expect(stale.decision.applied.first?.failedClosed?.contains("the watch data for ethereum is stale: it covers blocks up to 100, of ") == true,
                "\(stale.decision.applied)")
        // A heartbeat of block 100 is taken, refreshes nothing, and it is still stale.
        let covered = c.state.watchCoverage(in: .development)["ethereum"]
        #expect(try report(&c, [], from: 100, block: 100, blockTime: start) == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(c.state.watchCoverage(in: .development)["ethereum"] == covered)
        #expect(try pay(&c, stranger).decision.reason == .deniedByRule("deny-poisoned"))
        // Blocks already covered, reported again (a watcher behind), or a heartbeat carrying a
        // transfer: taken for their flags alone; the coverage neither moves nor refreshes.
        let v = try Self.vaultAddress(c)
        let late = "0x6666666666666666666666666666666666666666"
        for (from, transfers, flagged) in [(UInt64(90), [WatchedTransfer](), 0), (100, [Self.transfer(v, from: late, amount: 1, token: Cluster.usdc)], 1)] {
            #expect(try report(&c, transfers, from: from, block: 100, blockTime: start) == .watched(chain: "ethereum", block: 100, flagged: flagged))
            #expect(c.state.watchCoverage(in: .development)["ethereum"] == covered)
        }
        #expect(c.state.watch(.development).appearances["ethereum/" + late] != nil, "the flags of a report behind the coverage count")
        #expect(try pay(&c, stranger).decision.reason == .deniedByRule("deny-poisoned"), "still stale")
        // A block from the future (beyond the clock skew) is refused.
        let ahead = try report(&c, [], from: 101, block: 10_000_000_000, blockTime: Int64(c.now / 1000) + 3_600)
        #expect(Cluster.code(ahead) == .watchRefused && Cluster.reason(ahead).contains("ahead of the cluster's block time"), "\(ahead)")
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 100)
        // Current blocks make it fresh.
        let fresh = try reportEntry(&c, [], from: 101, block: 120)
        #expect(c.apply(fresh) == .watched(chain: "ethereum", block: 120, flagged: 0))
        #expect(try pay(&c, stranger).outcome == .allow)
        // The gateway posts the same report again: refused as a replay.
        let replayed = c.apply(fresh)
        #expect(Cluster.code(replayed) == .requestRefused && Cluster.reason(replayed).contains("already used"), "\(replayed)")
    }

    /// Second review H-1, as the attacker: a watcher (a stolen bot key, or one reading a lying
    /// RPC) claims block 10^15 with a current block time. The coverage jumps, but the honest
    /// watcher's reports of the real blocks are still taken for their flags, so the dust it sees
    /// is flagged; and the quorum resets the coverage (`clear-watch-flag ethereum coverage`),
    /// after which the honest watcher's next report starts it anew.
    @Test func aWatcherClaimingABlockFarAheadSilencesNoFlagAndTheQuorumResetsTheCoverage() throws {
        var c = try cluster()
        #expect(try report(&c, [], from: 1, block: 100) == .watched(chain: "ethereum", block: 100, flagged: 0))
        let liar = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("watcher-2", key: liar.publicKey, roles: [WatchEntry.watcherRole])
        let far: UInt64 = 1_000_000_000_000_000
        #expect(try report(&c, [], from: 101, block: far, keyId: "watcher-2", key: liar) == .watched(chain: "ethereum", block: far, flagged: 0))
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == far)
        // The coverage names the watcher that claimed it (third review L1), for the quorum to ask.
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.watchers == ["watcher-2"])
        // The honest watcher's next range, with the dust in it: taken, flagged, coverage unmoved.
        let v = try Self.vaultAddress(c)
        #expect(try report(&c, [Self.transfer(v, block: 150)], from: 101, block: 200) == .watched(chain: "ethereum", block: 200, flagged: 1))
        #expect(c.state.watch(.development).appearances["ethereum/" + Self.poisoner]?.reporter == "watcher-1")
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == far)
        #expect(try pay(&c, Self.poisoner).decision.outcome == .deny)
        // The quorum resets it; the honest watcher's next report covers from where it is.
        try c.govern(.clearWatchFlag(chain: "ethereum", target: "coverage"))
        #expect(c.state.watchCoverage(in: .development)["ethereum"] == nil)
        #expect(c.state.watch(.development).reportedBlocks.keys.allSatisfy { !$0.hasSuffix("/ethereum") }, "every watcher starts again")
        #expect(try report(&c, [], from: 201, block: 250) == .watched(chain: "ethereum", block: 250, flagged: 0))
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 250)
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.watchers == ["watcher-1"])
        // A target that is not one is refused, naming what a clearance may name.
        #expect(throws: GovernanceError.self) { try WatchClearance("coverage ") }
    }

    /// Second review H2, as the attacker: the watcher reports blocks 101–300 in three parts, the
    /// dust in the second. A gateway that drops the second part and commits the others (or only
    /// the last, or replays the parts out of order) leaves the coverage where it was; the dust
    /// is not silently passed over: the watcher, which sees no coverage, posts the range again
    /// and the nodes take it once every part is committed in order.
    @Test func aDroppedPartLeavesTheCoverageWhereItWas() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        #expect(try report(&c, [], from: 50, block: 100) == .watched(chain: "ethereum", block: 100, flagged: 0))
        let clean = [Self.transfer(v, from: Self.counterparty(1), amount: 5_000_000_000, token: Cluster.usdc, block: 120)]
        let dust = [Self.transfer(v, amount: 0, block: 200)]
        let parts = [clean, dust, clean]
        func post(_ n: Int, keyId: String = "watcher-1", key: BotSigningKey? = nil) throws -> GovernanceOutcome {
            try report(&c, parts[n - 1], from: 101, block: 300, part: n, parts: 3, keyId: keyId, key: key)
        }
        // Part 2 dropped.
        #expect(try post(1) == .watched(chain: "ethereum", block: 300, flagged: 0))
        #expect(try post(3) == .watched(chain: "ethereum", block: 300, flagged: 0))
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 100, "the range is not complete")
        // Only the last part, and the parts out of order.
        #expect(try post(3) == .watched(chain: "ethereum", block: 300, flagged: 0))
        for n in [2, 1, 3] { _ = try post(n) }
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 100)
        #expect(c.state.watch(.development).appearances["ethereum/" + Self.poisoner] != nil, "the flags of a part always count")
        // Another watcher's parts do not complete this watcher's run.
        let other = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("watcher-2", key: other.publicKey, roles: [WatchEntry.watcherRole])
        _ = try post(1)
        _ = try post(2, keyId: "watcher-2", key: other)
        _ = try post(3)
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 100)
        // Every part, in order: the range is covered.
        for n in 1...3 { #expect(try post(n) == .watched(chain: "ethereum", block: 300, flagged: 0)) }
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 300)
        // A part number beyond the count, or no parts, is malformed.
        #expect(Cluster.code(try report(&c, [], from: 301, block: 310, part: 4, parts: 3)) == .invalidRequest)
        #expect(Cluster.code(try report(&c, [], from: 301, block: 310, part: 0, parts: 0)) == .invalidRequest)
    }

    /// Review H-3, as the attacker: the policy's `poisoning` section names no `max_staleness`
    /// (so the bound is the default 10 minutes). The watcher reports blocks 51–100 in two parts,
    /// the dust in the second; the gateway drops that part, so the dust sender is never flagged
    /// and the coverage stays at block 50. That is the window (review helper-58 M1): inside
    /// max_staleness of block 50's chain time the dust sender is paid; once the coverage is
    /// older, paying it is denied, naming the chain and its coverage; and the honest range posted
    /// again flags the sender.
    @Test func aDroppedDustPartGetsNothingPaidOnceTheCoverageIsStale() throws {
        var c = try cluster()
        #expect(c.state.policy.document.poisoning.maxStalenessSeconds == PoisoningPolicy.defaultStalenessSeconds)
        #expect(PoisoningPolicy.defaultStalenessSeconds == 600)
        let v = try Self.vaultAddress(c)
        #expect(try report(&c, [], from: 1, block: 50) == .watched(chain: "ethereum", block: 50, flagged: 0))
        let start = try #require(c.state.watchCoverage(in: .development)["ethereum"]?.blockTime)
        let clean = [Self.transfer(v, from: Self.counterparty(1), amount: 5_000_000_000, token: Cluster.usdc, block: 60)]
        #expect(try report(&c, clean, from: 51, block: 100, part: 1, parts: 2) == .watched(chain: "ethereum", block: 100, flagged: 0))
        // Part 2, the dust from the poisoner, never reaches the log.
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 50 && c.state.watch(.development).appearances.isEmpty)
        // Inside the window the dust sender is paid: what max_staleness bounds.
        c.now = UInt64(start + 590) * 1000
        #expect(try pay(&c, Self.poisoner).outcome == .allow, "within max_staleness of the last good coverage")
        c.now = UInt64(start + 601) * 1000
        let paid = try pay(&c, Self.poisoner)
        #expect(paid.decision.reason == .deniedByRule("deny-poisoned"), "\(paid.decision)")
        let reason = paid.decision.applied.first?.failedClosed ?? ""
        #expect(reason.contains("the watch data for ethereum is stale: it covers blocks up to 50, of \(UTCTime.text(start))"), "\(reason)")
        #expect(reason.contains("(watcher-1 up to block 50 (of ") && reason.contains("older than poisoning.max_staleness 10m"), "\(reason)")
        // The watcher posts the range again, every part: the sender is flagged, the rest pays.
        let dust = [Self.transfer(v, amount: 0, block: 90)]
        _ = try report(&c, clean, from: 51, block: 100, part: 1, parts: 2)
        #expect(try report(&c, dust, from: 51, block: 100, part: 2, parts: 2) == .watched(chain: "ethereum", block: 100, flagged: 1))
        #expect(try pay(&c, Self.poisoner).decision.reason == .deniedByRule("deny-poisoned"))
        #expect(try pay(&c, "0x8888888888888888888888888888888888888888").outcome == .allow)
    }

    @Test func withAStalenessBoundASilencedWatcherFailsClosed() throws {
        var c = try cluster()
        try c.govern(.changePolicy(yaml: Self.policy(version: 4, poisoning: "{dust_usd: 1, dust: {USDC: 1}, max_staleness: 1h, min_watchers: 1}")))
        let stranger = "0x8888888888888888888888888888888888888888"
        // No watcher ever covered ethereum: whether the stranger is poisoned is unknown.
        let unknown = try pay(&c, stranger)
        #expect(unknown.decision.reason == .deniedByRule("deny-poisoned"), "\(unknown.decision)")
        #expect(unknown.decision.applied.first?.failedClosed?.contains("no watch data for ethereum") == true, "\(unknown.decision.applied)")
        #expect(try report(&c, []) == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(try pay(&c, stranger).outcome == .allow)
        // The watcher falls silent (or a gateway drops its reports) for more than an hour.
        c.now += 3_600_000
        let stale = try pay(&c, stranger)
        #expect(stale.decision.reason == .deniedByRule("deny-poisoned"))
        #expect(stale.decision.applied.first?.failedClosed?.contains("the watch data for ethereum is stale: it covers blocks up to 100") == true,
                "\(stale.decision.applied)")
        #expect(try report(&c, [], from: 101, block: 120) == .watched(chain: "ethereum", block: 120, flagged: 0))
        #expect(try pay(&c, stranger).outcome == .allow)
    }
}
