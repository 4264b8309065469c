import BigInt
import Crypto
import CustosCore
import CustosIdentity
import CustosPolicy
@testable import CustosState
import Testing

/// Review helper-54 M1: each flood record names the watcher that reported it, and the quorum
/// clears what one watcher planted (`reporter:BOT`, for a compromised watcher key) without
/// touching what another planted.
extension WatchRoomTests {
    /// As the attacker holding watcher-1's key: it plants a flood of made-up dust (16 flagged,
    /// 8 flooded) with transaction T, and watcher-2 honestly reports another flood, and more
    /// counterparties of the same transaction T. The quorum's `reporter:watcher-1` clears
    /// exactly watcher-1's flags and flood members; watcher-2's stay poisoned, named by it.
    @Test func aReporterClearanceClearsExactlyThatWatchersFloods() throws {
        var c = try cluster()
        let honest = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("watcher-2", key: honest.publicKey, roles: [WatchEntry.watcherRole])
        let v = try Self.vaultAddress(c)
        let shared = Self.transaction(1)
        func flood(_ first: Int, _ count: Int, _ transaction: String) -> [WatchedTransfer] {
            (0..<count).map { Self.transfer(v, from: Self.counterparty(first + $0), amount: 0, transaction: transaction) }
        }
        #expect(try report(&c, flood(0, 24, shared)) == .watched(chain: "ethereum", block: 100, flagged: 16))
        #expect(try report(&c, flood(100, 24, Self.transaction(2)) + [], keyId: "watcher-2", key: honest)
            == .watched(chain: "ethereum", block: 100, flagged: 16))
        // Transaction T again, from watcher-2: a record of its own, not watcher-1's.
        #expect(try report(&c, flood(200, 2, shared), keyId: "watcher-2", key: honest) == .watched(chain: "ethereum", block: 100, flagged: 0))
        let set = try #require(c.state.watch(.development).floodSets["ethereum"])
        #expect(set.count == 8 + 8 + 2)
        #expect(set.transactions.map(\.reporter).sorted() == ["watcher-1", "watcher-2", "watcher-2"])
        let named = try pay(&c, Self.counterparty(201))
        #expect(named.decision.warnings.first?.text.contains("transaction \(shared) (block 100, reported by watcher-2)") == true, "\(named.decision.warnings)")

        try c.govern(.clearWatchFlag(chain: "ethereum", target: "reporter:watcher-1"))
        for n in [0, 15, 16, 23] {
            #expect(try pay(&c, Self.counterparty(n)).outcome == .allow, "watcher-1's \(n) is cleared")
        }
        for n in [100, 115, 116, 123, 200, 201] {
            #expect(try pay(&c, Self.counterparty(n)).decision.reason == .deniedByRule("deny-poisoned"), "watcher-2's \(n) stays")
        }
        #expect(c.state.watch(.development).flagsPerChain["ethereum"] == 16 && c.state.watch(.development).floodSets["ethereum"]?.count == 10)
        // Nothing left of watcher-1: a second clearance is refused, naming it; so is a bad id.
        let (_, again) = try c.propose(.clearWatchFlag(chain: "ethereum", target: "reporter:watcher-1"), by: "frank")
        #expect(Cluster.reason(again).contains("watcher watcher-1 planted no poisoned flag and covers no block on ethereum"), "\(again)")
        let (_, bad) = try c.propose(.clearWatchFlag(chain: "ethereum", target: "reporter:watcher 1"), by: "frank")
        #expect(Cluster.reason(bad).contains("the watcher bot's id \"watcher 1\" is not 1 to 64 of [a-z0-9-_.@]"), "\(bad)")
        #expect(try WatchClearance("reporter:" + String(repeating: "w", count: 64)).text.count == 73)
        #expect(GovernanceChange.clearWatchFlag(chain: "ethereum", target: "reporter:watcher-1").operation.action == .changePolicy)
    }

    /// Review helper-64 M2, as the attacker holding watcher-1's key: it reports the dust with
    /// the poisoner first, honest watcher-2 reports the same (in another transaction), and the
    /// quorum clears `reporter:watcher-1` (perhaps goaded by the attacker into it): the
    /// destination stays flagged, now attributed to watcher-2, and every node denies paying it.
    /// What watcher-1 alone reported is cleared. So for a flood: watcher-2's report of the same
    /// counterparties keeps them poisoned, flagged one by one or flood members.
    @Test func aReporterClearanceKeepsWhatAnotherWatcherCorroborated() throws {
        var c = try cluster()
        let honest = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("watcher-2", key: honest.publicKey, roles: [WatchEntry.watcherRole])
        let v = try Self.vaultAddress(c)
        let alone = Self.counterparty(900)
        #expect(try report(&c, [Self.transfer(v, amount: 0), Self.transfer(v, from: alone, amount: 0, transaction: Self.transaction(9))])
            == .watched(chain: "ethereum", block: 100, flagged: 2))
        // Watcher-1 again corroborates nothing; watcher-2 corroborates the poisoner.
        #expect(try report(&c, [Self.transfer(v, amount: 0)]) == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(c.state.watch(.development).corroborations.isEmpty)
        let before = c.state.digest
        #expect(try report(&c, [Self.transfer(v, amount: 0, transaction: Self.transaction(5))], keyId: "watcher-2", key: honest)
            == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(c.state.watch(.development).corroborations["ethereum/" + Self.poisoner]?.reporter == "watcher-2")
        #expect(c.state.digest != before)

        try c.govern(.clearWatchFlag(chain: "ethereum", target: "reporter:watcher-1"))
        let denied = try pay(&c, Self.poisoner)
        #expect(denied.decision.reason == .deniedByRule("deny-poisoned"), "watcher-2 reported it too")
        let kept = try #require(c.state.watch(.development).appearances["ethereum/" + Self.poisoner])
        #expect(kept.reporter == "watcher-2" && kept.transaction == Self.transaction(5))
        #expect(c.state.watch(.development).corroborations.isEmpty)
        #expect(try pay(&c, alone).outcome == .allow, "watcher-1 alone reported it")
        // Now watcher-2's clearance removes it: nothing else reported it (and with both watchers'
        // coverage dropped, the poisoned test has no answer for anyone: review helper-68 L3).
        try c.govern(.clearWatchFlag(chain: "ethereum", target: "reporter:watcher-2"))
        #expect(c.state.watch(.development).appearances.isEmpty && c.state.watchCoverage(in: .development).isEmpty)
    }

    /// Review helper-64 M2 for a flood: watcher-1 (compromised) and watcher-2 both report
    /// transaction T's 24 zero-value transfers (16 flagged one by one, 8 flood members); after
    /// `reporter:watcher-1` all 24 stay poisoned, the flood named as watcher-2's. Corroborated
    /// the other way round (watcher-2 first), `reporter:watcher-1` drops only watcher-1's
    /// corroboration, and `reporter:watcher-2` then clears them.
    @Test func aReporterClearanceKeepsAFloodAnotherWatcherReportedToo() throws {
        for compromisedFirst in [true, false] {
            var c = try cluster()
            let honest = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
            try c.registerBot("watcher-2", key: honest.publicKey, roles: [WatchEntry.watcherRole])
            let v = try Self.vaultAddress(c)
            let shared = Self.transaction(1)
            let flood = (0..<24).map { Self.transfer(v, from: Self.counterparty($0), amount: 0, transaction: shared) }
            let reporters: [(String, BotSigningKey?)] = compromisedFirst ? [("watcher-1", nil), ("watcher-2", honest)] : [("watcher-2", honest), ("watcher-1", nil)]
            for (id, key) in reporters { _ = try report(&c, flood, keyId: id, key: key) }
            #expect(c.state.watch(.development).corroborations.count == 16 && c.state.watch(.development).floodSets["ethereum"]?.corroboratedCount == 8)

            try c.govern(.clearWatchFlag(chain: "ethereum", target: "reporter:watcher-1"))
            for n in [0, 15, 16, 23] {
                let paid = try pay(&c, Self.counterparty(n))
                #expect(paid.decision.reason == .deniedByRule("deny-poisoned"), "\(n) stays (\(compromisedFirst))")
            }
            let named = try pay(&c, Self.counterparty(20))
            #expect(named.decision.warnings.first?.text.contains("reported by watcher-2") == true, "\(named.decision.warnings)")
            #expect(c.state.watch(.development).flagsPerChain["ethereum"] == 16 && c.state.watch(.development).floodSets["ethereum"]?.count == 8)
            #expect(c.state.watch(.development).corroborations.isEmpty && c.state.watch(.development).floodSets["ethereum"]?.corroboratedCount == 0)

            try c.govern(.clearWatchFlag(chain: "ethereum", target: "reporter:watcher-2"))
            #expect(c.state.watch(.development).appearances.isEmpty && c.state.watch(.development).floodSets["ethereum"]?.count == 0, "cleared with their last watcher")
        }
    }

    /// Review helper-68 L3, as the attacker holding a watcher's key: its coverage stops counting
    /// when the quorum clears `reporter:BOT` (even one that planted no flag), rotates the bot's
    /// key or removes it; the rotated watcher reads again from the chain's mark, with its new key.
    @Test func aClearedRotatedOrRemovedWatchersCoverageCountsNoMore() throws {
        var (c, second, third) = try twoWatcherCluster()
        let stranger = "0x8888888888888888888888888888888888888888"
        for (id, key) in [("watcher-1", watcher), ("watcher-2", second), ("watcher-3", third)] {
            #expect(try report(&c, [], from: 1, block: 100, keyId: id, key: key) == .watched(chain: "ethereum", block: 100, flagged: 0))
        }
        try c.govern(.clearWatchFlag(chain: "ethereum", target: "reporter:watcher-1"))
        #expect(c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum") == nil && c.state.watch(.development).reportedBlock(by: "watcher-1", on: "ethereum") == nil)
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.watchers == ["watcher-2", "watcher-3"])
        let rotated = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.govern(.rotateBotKey(id: "watcher-2", key: rotated.publicKey))
        #expect(c.state.watch(.development).coverage(by: "watcher-2", on: "ethereum") == nil)
        #expect(c.state.watchCoverage(in: .development)["ethereum"] == nil, "watcher-3 alone is no coverage under min_watchers 2")
        let denied = try pay(&c, stranger)
        #expect(denied.decision.applied.first?.failedClosed?.contains("only watcher-3 up to block 100") == true, "\(denied.decision.applied)")
        // With its new key, watcher-2 reads again from the mark's side (a range past it is no start).
        #expect(try report(&c, [], from: 102, block: 150, keyId: "watcher-2", key: rotated) == .watched(chain: "ethereum", block: 150, flagged: 0))
        #expect(c.state.watch(.development).coverage(by: "watcher-2", on: "ethereum") == nil)
        #expect(try report(&c, [], from: 1, block: 150, keyId: "watcher-2", key: rotated) == .watched(chain: "ethereum", block: 150, flagged: 0))
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.watchers == ["watcher-2", "watcher-3"])
        #expect(try pay(&c, stranger).outcome == .allow)
        try c.govern(.removeBot(id: "watcher-3"))
        #expect(c.state.watch(.development).coverage(by: "watcher-3", on: "ethereum") == nil && c.state.watchCoverage(in: .development)["ethereum"] == nil)
        // Nothing of watcher-1 is left: a second reporter clearance is refused, naming it.
        let (_, again) = try c.propose(.clearWatchFlag(chain: "ethereum", target: "reporter:watcher-1"), by: "frank")
        #expect(Cluster.reason(again).contains("watcher watcher-1 planted no poisoned flag and covers no block on ethereum"), "\(again)")
    }

    /// Review helper-54 L2, L3: the words the approvers read for `transaction:T` and `below:N`
    /// say what they leave behind (a watcher's summary beyond the flood records).
    @Test func transactionAndBelowClearancesSayTheyLeaveSummaryMembers() throws {
        let hash = "0x" + String(repeating: "ab", count: 32)
        #expect(try WatchClearance(hash).words.contains("members kept in a watcher's summary beyond the flood records stay"))
        #expect(try WatchClearance("below:200").words.contains("its members stay if its highest block is 200 or later"))
        // Review of watch8 L1: `reporter:BOT` says it drops the bot's coverage and what to do next.
        #expect(try WatchClearance("reporter:watcher-1").words.contains(
            "and watcher watcher-1's coverage of the chain: rotate its key or remove it next (its next report starts its coverage again)"))
    }
}
