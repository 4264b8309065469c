import BigInt
import Crypto
import CustosCore
import CustosIdentity
import CustosPolicy
@testable import CustosState
import Testing

/// Review helper-58 M2, as the attacker: no single watcher key decides how far a chain is
/// covered. Each watcher extends only its own coverage, and the poisoned test reads how far
/// `poisoning.min_watchers` of the current watchers each reported.
extension WatchRoomTests {
    /// Watchers `watcher-2` and `watcher-3` registered beside `watcher-1`, under a policy asking
    /// for two watchers and an hour of staleness; their keys.
    func twoWatcherCluster() throws -> (Cluster, BotSigningKey, BotSigningKey) {
        var c = try cluster()
        try c.govern(.changePolicy(yaml: Self.policy(version: 4, poisoning: "{dust_usd: 1, dust: {USDC: 1}, max_staleness: 1h, min_watchers: 2}")))
        let second = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        let third = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("watcher-2", key: second.publicKey, roles: [WatchEntry.watcherRole])
        try c.registerBot("watcher-3", key: third.publicKey, roles: [WatchEntry.watcherRole])
        return (c, second, third)
    }

    /// Watcher 1 (the liar) reads blocks 51–100 and leaves out the dust of block 90; watcher 2
    /// has not reported them yet. The chain's coverage stays at block 50, where both reached,
    /// so once that is older than max_staleness paying the dust sender is denied, naming each
    /// watcher's coverage; when watcher 2 reports the range with the dust, the sender is flagged
    /// and the coverage moves.
    @Test func aWatcherLeavingOutTheDustCannotCarryTheCoveragePastAnHonestOne() throws {
        var (c, honestKey, _) = try twoWatcherCluster()
        let v = try Self.vaultAddress(c)
        let stranger = "0x8888888888888888888888888888888888888888"
        #expect(try report(&c, [], from: 1, block: 50) == .watched(chain: "ethereum", block: 50, flagged: 0))
        // One watcher alone is no coverage under min_watchers 2.
        let alone = try pay(&c, stranger)
        #expect(alone.decision.reason == .deniedByRule("deny-poisoned"), "\(alone.decision)")
        #expect(alone.decision.applied.first?.failedClosed?.contains("no watch data for ethereum: poisoning.min_watchers is 2, but only watcher-1 up to block 50") == true,
                "\(alone.decision.applied)")
        #expect(try report(&c, [], from: 1, block: 50, keyId: "watcher-2", key: honestKey) == .watched(chain: "ethereum", block: 50, flagged: 0))
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 50 && c.state.watchCoverage(in: .development)["ethereum"]?.watchers == ["watcher-1", "watcher-2"])
        #expect(try pay(&c, stranger).outcome == .allow)
        let start = try #require(c.state.watch(.development).coverage(by: "watcher-2", on: "ethereum")?.blockTime)
        c.now += 3_601_000
        // The liar reports 51–100, current, without the dust: its own coverage moves, the chain's does not.
        #expect(try report(&c, [], from: 51, block: 100) == .watched(chain: "ethereum", block: 100, flagged: 0))
        let liar = try #require(c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum"))
        #expect(liar.block == 100 && liar.blockTime > start + 3_600)
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 50 && c.state.watchCoverage(in: .development)["ethereum"]?.blockTime == start)
        let paid = try pay(&c, Self.poisoner)
        #expect(paid.outcome == .deny && paid.decision.reason == .deniedByRule("deny-poisoned"), "\(paid.decision)")
        let reason = paid.decision.applied.first?.failedClosed ?? ""
        #expect(reason.contains("the watch data for ethereum is stale: 2 watchers (poisoning.min_watchers) cover blocks up to 50, of \(UTCTime.text(start))"),
                "\(reason)")
        #expect(reason.contains("(watcher-1 up to block 100 (of \(UTCTime.text(liar.blockTime)))") && reason.contains("watcher-2 up to block 50 (of "), "\(reason)")
        // The honest watcher reports the same blocks, with the dust: flagged, and the coverage moves.
        #expect(try report(&c, [Self.transfer(v, amount: 0, block: 90)], from: 51, block: 100, keyId: "watcher-2", key: honestKey)
                == .watched(chain: "ethereum", block: 100, flagged: 1))
        #expect(c.state.watch(.development).appearances["ethereum/" + Self.poisoner]?.reporter == "watcher-2")
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 100)
        let flagged = try pay(&c, Self.poisoner)
        #expect(flagged.decision.reason == .deniedByRule("deny-poisoned") && flagged.decision.warnings.map(\.kind) == [.poisoned], "\(flagged.decision)")
        #expect(try pay(&c, stranger).outcome == .allow)
    }

    /// Watcher 1 ends a range on a made-up block hash: its next range (on the real chain) is
    /// refused, so it stalls itself, but watchers 2 and 3 go on extending their own coverages,
    /// and the chain's coverage follows them. Removing the liar drops its coverage from the count.
    @Test func aWatcherEndingOnAMadeUpHashStallsOnlyItself() throws {
        var (c, second, third) = try twoWatcherCluster()
        let made = "0x" + String(repeating: "e", count: 64)
        for (id, key) in [("watcher-1", watcher), ("watcher-2", second), ("watcher-3", third)] {
            #expect(try report(&c, [], from: 1, block: 100, keyId: id, key: key) == .watched(chain: "ethereum", block: 100, flagged: 0))
        }
        #expect(try report(&c, [], from: 101, block: 200, blockHash: made) == .watched(chain: "ethereum", block: 200, flagged: 0))
        let next = try report(&c, [], from: 201, block: 300)
        #expect(Cluster.code(next) == .watchRefused && Cluster.reason(next).contains("coverage ends at block 200 of hash \(made)"), "\(next)")
        for (id, key) in [("watcher-2", second), ("watcher-3", third)] {
            #expect(try report(&c, [], from: 101, block: 200, keyId: id, key: key) == .watched(chain: "ethereum", block: 200, flagged: 0))
            #expect(try report(&c, [], from: 201, block: 300, keyId: id, key: key) == .watched(chain: "ethereum", block: 300, flagged: 0))
        }
        #expect(c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum")?.block == 200)
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 300 && c.state.watchCoverage(in: .development)["ethereum"]?.watchers == ["watcher-2", "watcher-3"])
        #expect(try pay(&c, "0x8888888888888888888888888888888888888888").outcome == .allow)
        // A liar claiming far ahead alone moves nothing either; removed, it counts no more.
        let far: UInt64 = 1_000_000_000_000_000
        try c.govern(.clearWatchFlag(chain: "ethereum", target: "coverage"))
        #expect(try report(&c, [], from: 1, block: far) == .watched(chain: "ethereum", block: far, flagged: 0))
        #expect(try report(&c, [], from: 1, block: 400, keyId: "watcher-2", key: second) == .watched(chain: "ethereum", block: 400, flagged: 0))
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 400)
        try c.govern(.removeBot(id: "watcher-1"))
        #expect(c.state.watchCoverages(in: .development)["ethereum"]?.keys.sorted() == ["watcher-2"])
        #expect(c.state.watchCoverage(in: .development)["ethereum"] == nil, "one current watcher is no coverage under min_watchers 2")
    }

    /// Review of watch6 M1, as the attacker: the liar (watcher 1) and an honest watcher cover
    /// blocks 1–100 together (the chain's mark 100); the liar reads 101–300 leaving out the dust of
    /// block 150, and the honest watcher is replaced by watcher 3 starting at the head (201). Its
    /// range starts no coverage (only one at or below block 101 does), so blocks 101–200 are not
    /// attested by the liar alone: paying the dust sender is unknown, denied. Once watcher 3 reads
    /// from block 101 the dust is flagged and the coverage moves. The quorum's coverage clearance
    /// resets the mark.
    @Test func aLateWatcherMustFillTheGapSinceTheMark() throws {
        var (c, honestKey, lateKey) = try twoWatcherCluster()
        let v = try Self.vaultAddress(c)
        #expect(c.state.watch(.development).marks["ethereum"] == nil)
        #expect(try report(&c, [], from: 1, block: 100) == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(c.state.watch(.development).marks["ethereum"] == nil, "one watcher alone raises no mark under min_watchers 2")
        #expect(try report(&c, [], from: 1, block: 100, keyId: "watcher-2", key: honestKey) == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(c.state.watch(.development).marks["ethereum"] == 100)
        #expect(try report(&c, [], from: 101, block: 200) == .watched(chain: "ethereum", block: 200, flagged: 0))
        try c.govern(.removeBot(id: "watcher-2"))
        // The replacement starts at the head: taken for its flags, but it starts no coverage.
        #expect(try report(&c, [], from: 201, block: 300, keyId: "watcher-3", key: lateKey) == .watched(chain: "ethereum", block: 300, flagged: 0))
        #expect(try report(&c, [], from: 201, block: 300) == .watched(chain: "ethereum", block: 300, flagged: 0))
        #expect(c.state.watch(.development).coverage(by: "watcher-3", on: "ethereum") == nil)
        #expect(c.state.watchCoverage(in: .development)["ethereum"] == nil)
        let paid = try pay(&c, Self.poisoner)
        #expect(paid.decision.reason == .deniedByRule("deny-poisoned") && paid.decision.warnings.isEmpty, "\(paid.decision)")
        #expect(paid.decision.applied.first?.failedClosed?.contains("poisoning.min_watchers is 2, but only watcher-1 up to block 300") == true, "\(paid.decision.applied)")
        // From the block after the mark, with the dust the liar left out: flagged, and counted.
        #expect(try report(&c, [Self.transfer(v, amount: 0, block: 150)], from: 101, block: 300, keyId: "watcher-3", key: lateKey)
                == .watched(chain: "ethereum", block: 300, flagged: 1))
        #expect(c.state.watch(.development).coverage(by: "watcher-3", on: "ethereum")?.since == 101)
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 300 && c.state.watch(.development).marks["ethereum"] == 300)
        #expect(try pay(&c, Self.poisoner).decision.warnings.map(\.kind) == [.poisoned])
        // The quorum's coverage clearance resets the mark: a fresh start anywhere counts again.
        try c.govern(.clearWatchFlag(chain: "ethereum", target: "coverage"))
        #expect(c.state.watch(.development).marks["ethereum"] == nil)
        #expect(try report(&c, [], from: 500, block: 600, keyId: "watcher-3", key: lateKey) == .watched(chain: "ethereum", block: 600, flagged: 0))
        #expect(c.state.watch(.development).coverage(by: "watcher-3", on: "ethereum")?.since == 500)
    }

    /// Review of watch6 L1: with exactly min_watchers watchers one stalled watcher would stall the
    /// chain; the quorum clears that watcher's coverage alone (`coverage:BOT`), the others' stays
    /// and so does the mark, so it starts again at or below the block after it.
    @Test func theQuorumClearsOneWatchersCoverage() throws {
        var (c, second, _) = try twoWatcherCluster()
        let made = "0x" + String(repeating: "e", count: 64)
        #expect(try report(&c, [], from: 1, block: 100, blockHash: made) == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(try report(&c, [], from: 1, block: 100, keyId: "watcher-2", key: second) == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(Cluster.code(try report(&c, [], from: 101, block: 200)) == .watchRefused)
        // A clearance naming no watcher's coverage, or no watcher, is refused naming it.
        // A clearance names a bot id as `reporter:` does (review helper-68 M2): lowercased, checked.
        for (target, reason) in [("coverage:watcher-3", "watcher \"watcher-3\" covers no block on ethereum"),
                                 ("coverage:", "the watcher bot's id \"\" is not 1 to 64 of [a-z0-9-_.@]"),
                                 ("coverage:watcher-1\u{202E}", "is not 1 to 64 of [a-z0-9-_.@]")] {
            let (p, refused) = try c.propose(.clearWatchFlag(chain: "ethereum", target: target), by: "frank")
            #expect(c.status(p) == nil && Cluster.reason(refused).contains(reason), "\(refused)")
        }
        try c.govern(.clearWatchFlag(chain: "ethereum", target: "coverage:Watcher-1"))
        #expect(c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum") == nil)
        #expect(c.state.watch(.development).coverage(by: "watcher-2", on: "ethereum")?.block == 100 && c.state.watch(.development).marks["ethereum"] == 100)
        // Past the block after the mark it starts nothing; from it, it counts again.
        #expect(try report(&c, [], from: 102, block: 200) == .watched(chain: "ethereum", block: 200, flagged: 0))
        #expect(c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum") == nil)
        #expect(try report(&c, [], from: 101, block: 200) == .watched(chain: "ethereum", block: 200, flagged: 0))
        #expect(try report(&c, [], from: 101, block: 200, keyId: "watcher-2", key: second) == .watched(chain: "ethereum", block: 200, flagged: 0))
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 200 && c.state.watchCoverage(in: .development)["ethereum"]?.watchers == ["watcher-1", "watcher-2"])
    }

    /// The effective coverage is the `min_watchers`-th highest of the watchers' blocks, its chain
    /// time that of the watchers reaching it (review of watch6 L2: not one that stopped short),
    /// starting where that many watchers reported every block.
    @Test func theEffectiveCoverageIsTheMinWatchersThHighest() throws {
        let coverages = [
            "a": WatchCoverage(block: 500, since: 0, blockTime: 100, reportedAt: 10, reporter: "a"),
            "b": WatchCoverage(block: 300, since: 40, blockTime: 900, reportedAt: 30, reporter: "b"),
            "c": WatchCoverage(block: 200, since: 10, blockTime: 800, reportedAt: 20, reporter: "c"),
        ]
        let two = try #require(EffectiveWatchCoverage(coverages, minWatchers: 2))
        #expect(two.block == 300 && two.since == 40 && two.blockTime == 100 && two.reportedAt == 20 && two.watchers == ["a", "b"])
        let three = try #require(EffectiveWatchCoverage(coverages, minWatchers: 3))
        #expect(three.block == 200 && three.since == 40 && three.blockTime == 100 && three.watchers == ["a", "b", "c"])
        #expect(EffectiveWatchCoverage(coverages, minWatchers: 4) == nil)
        #expect(EffectiveWatchCoverage(coverages, minWatchers: 1)?.block == 500)
    }

    /// Replay review, as the attacker holding watcher-1's key: it posts reports (heartbeats) until
    /// its own replay cache is full; its next is refused, saying so, while watcher-2's reports are
    /// still taken. Once its nonces age out of the clock-skew window, it posts again.
    @Test func aWatcherFillingItsReplayCacheGetsOnlyItsOwnReportsRefused() throws {
        var (c, second, _) = try twoWatcherCluster()
        c.state.watches[.development, default: WatchBook()].replayCapacity = 3
        for _ in 0..<3 { #expect(try report(&c, [], from: 1, block: 100) == .watched(chain: "ethereum", block: 100, flagged: 0)) }
        let full = try report(&c, [], from: 1, block: 100)
        #expect(Cluster.requestSigningCode(full) == .replayCacheFull, "\(full)")
        #expect(Cluster.reason(full).contains("bot \"watcher-1\" posted 3 watch reports within the clock skew"), "\(full)")
        for _ in 0..<3 {
            #expect(try report(&c, [], from: 1, block: 100, keyId: "watcher-2", key: second) == .watched(chain: "ethereum", block: 100, flagged: 0))
        }
        c.now += UInt64(RequestBook.requestClockSkew) + 1_000
        #expect(try report(&c, [], from: 1, block: 100) == .watched(chain: "ethereum", block: 100, flagged: 0))
    }

    /// Review of watch8 L5: a watcher's replay cache is freed when the quorum rotates its key or
    /// removes it. As the attacker (a gateway replaying what the old key signed, the cache gone):
    /// the envelope fails verification against the new key.
    @Test func aRotatedOrRemovedWatchersReplayCacheIsFreed() throws {
        var (c, second, _) = try twoWatcherCluster()
        c.state.watches[.development, default: WatchBook()].replayCapacity = 2
        let signedByOldKey = try reportEntry(&c, [], from: 1, block: 100)
        #expect(c.apply(signedByOldKey) == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(try report(&c, [], from: 1, block: 100) == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(Cluster.requestSigningCode(try report(&c, [], from: 1, block: 100)) == .replayCacheFull)
        #expect(try report(&c, [], from: 1, block: 100, keyId: "watcher-2", key: second) == .watched(chain: "ethereum", block: 100, flagged: 0))
        let rotated = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.govern(.rotateBotKey(id: "watcher-1", key: rotated.publicKey))
        #expect(c.state.watch(.development).replayCaches["watcher-1"] == nil && c.state.watch(.development).replayCaches["watcher-2"] != nil)
        // Within the same clock-skew window, the new key's report is taken (its cache starts empty) ...
        #expect(try report(&c, [], from: 1, block: 100, key: rotated) == .watched(chain: "ethereum", block: 100, flagged: 0))
        // ... and the old key's envelope, replayed, is refused for its signature, not taken again.
        guard case .refused(let error) = c.apply(signedByOldKey) else { Issue.record("the old key's envelope was taken again"); return }
        #expect(error.code == .requestRefused && error.reason.contains("signature of bot \"watcher-1\" does not verify"), "\(error)")
        try c.govern(.removeBot(id: "watcher-2"))
        #expect(c.state.watch(.development).replayCaches["watcher-2"] == nil)
    }
}
