import BigInt
import CustosChains
import CustosCore
import CustosPolicy
@testable import CustosState
import Foundation
import Testing

/// Security review M3 and M4 of the watch room, as an attacker would try it: a flood of
/// zero-value transfers meets the room's bound and is refused whole; a false flag is cleared
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
        #expect(c.state.watch.appearances["ethereum/" + Self.poisoner]?.reporter == "watcher-1")
        let denied = try pay(&c, Self.poisoner)
        #expect(denied.decision.warnings.first?.text.contains("reported by watcher-1 at block time") == true)
        try c.govern(.clearWatchFlag(chain: "ethereum", address: Self.poisoner.uppercased().replacing("0X", with: "0x")))
        #expect(c.state.watch.appearances["ethereum/" + Self.poisoner] == nil)
        #expect(c.state.watch.cleared["ethereum/" + Self.poisoner] != nil)
        #expect(try pay(&c, Self.poisoner).outcome == .allow)
        // The same trick again does not bring the flag back.
        #expect(try report(&c, [Self.transfer(v, amount: 0, incoming: false, block: 101)], block: 101)
            == .watched(chain: "ethereum", block: 101, flagged: 0))
        #expect(try pay(&c, Self.poisoner).outcome == .allow)
        // Clearing an address that is not flagged is refused when proposed, naming it.
        let (p, refused) = try c.propose(.clearWatchFlag(chain: "ethereum", address: "0x8888888888888888888888888888888888888888"), by: "frank")
        #expect(c.status(p) == nil)
        #expect(Cluster.reason(refused).contains("0x8888888888888888888888888888888888888888 is not flagged as poisoned on ethereum"), "\(refused)")
        // Nor may one admin clear a flag alone: it is decided as a policy change.
        #expect(GovernanceChange.clearWatchFlag(chain: "ethereum", address: Self.poisoner).operation.action == .changePolicy)
    }

    @Test func aFloodOfDustMeetsTheRoomsBoundAndIsRefusedWhole() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        func counterparty(_ i: Int) -> String { "0x" + String(repeating: "0", count: 32) + String(format: "%08x", i + 1) }
        var flagged = 0
        var i = 0
        while flagged < WatchBook.maximumFlagsPerChain {
            let n = min(WatchEntry.maximumTransfers, WatchBook.maximumFlagsPerChain - flagged)
            let batch = (0..<n).map { Self.transfer(v, from: counterparty(i + $0), amount: 0) }
            guard case .watched(_, _, let added) = try report(&c, batch) else { Issue.record("report \(i) refused"); return }
            flagged += added
            i += n
        }
        #expect(c.state.watch.flagsPerChain["ethereum"] == WatchBook.maximumFlagsPerChain)
        let digest = c.state.digest
        let over = try report(&c, [Self.transfer(v, from: counterparty(i), amount: 0), Self.transfer(v, from: counterparty(i + 1), amount: 0)])
        #expect(Cluster.code(over) == .watchRefused)
        #expect(Cluster.reason(over).contains("holds \(WatchBook.maximumFlagsPerChain) flagged counterparties on ethereum and this report would add 2"))
        #expect(c.state.watch.count == WatchBook.maximumFlagsPerChain, "nothing of a refused report is kept")
        #expect(c.state.watch.coverage["ethereum"]?.block == 100, "nor does it extend the coverage")
        #expect(c.state.digest != digest, "the refusal is recorded")
        // A report that flags nothing new is still taken, and a cleared flag makes room for one.
        #expect(try report(&c, [Self.transfer(v, from: counterparty(0), amount: 0)]) == .watched(chain: "ethereum", block: 100, flagged: 0))
        try c.govern(.clearWatchFlag(chain: "ethereum", address: counterparty(0)))
        #expect(try report(&c, [Self.transfer(v, from: counterparty(i), amount: 0)]) == .watched(chain: "ethereum", block: 100, flagged: 1))
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
        #expect(c.state.watch.coverage.isEmpty)
        // The exact set, in any case and order, is taken; an empty range is a report too.
        #expect(try report(&c, [], vaults: [v.uppercased().replacing("0X", with: "0x")]) == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(c.state.watch.coverage["ethereum"] == WatchCoverage(block: 100, reportedAt: Int64(c.now / 1000)))
    }

    @Test func coverageGrowsOnlyWithoutAGapAndOnlyByFinalReports() throws {
        var c = try cluster()
        #expect(try report(&c, [], from: 50, block: 100) == .watched(chain: "ethereum", block: 100, flagged: 0))
        let first = Int64(c.now / 1000)
        // A report past a gap is kept but covers nothing.
        #expect(try report(&c, [], from: 150, block: 200, keyId: "watcher-1") == .watched(chain: "ethereum", block: 200, flagged: 0))
        #expect(c.state.watch.coverage["ethereum"] == WatchCoverage(block: 100, reportedAt: first))
        // A part of a range (more follow) does not extend it either; the final part does.
        #expect(try report(&c, [], from: 101, block: 300, isFinal: false) == .watched(chain: "ethereum", block: 300, flagged: 0))
        #expect(c.state.watch.coverage["ethereum"]?.block == 100)
        #expect(try report(&c, [], from: 101, block: 300) == .watched(chain: "ethereum", block: 300, flagged: 0))
        #expect(c.state.watch.coverage["ethereum"] == WatchCoverage(block: 300, reportedAt: Int64(c.now / 1000)))
        // The last block again (a heartbeat) keeps it fresh.
        #expect(try report(&c, [], from: 300, block: 300) == .watched(chain: "ethereum", block: 300, flagged: 0))
        #expect(c.state.watch.coverage["ethereum"]?.reportedAt == Int64(c.now / 1000))
    }

    @Test func withAStalenessBoundASilencedWatcherFailsClosed() throws {
        var c = try cluster()
        try c.govern(.changePolicy(yaml: Self.policy(version: 4, poisoning: "{dust_usd: 1, dust: {USDC: 1}, max_staleness: 1h}")))
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
        #expect(try report(&c, [], from: 100, block: 120) == .watched(chain: "ethereum", block: 120, flagged: 0))
        #expect(try pay(&c, stranger).outcome == .allow)
    }
}
