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
        let set = try #require(c.state.watch.floodSets["ethereum"])
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
        #expect(c.state.watch.flagsPerChain["ethereum"] == 16 && c.state.watch.floodSets["ethereum"]?.count == 10)
        // Nothing left of watcher-1: a second clearance is refused, naming it; so is a bad id.
        let (_, again) = try c.propose(.clearWatchFlag(chain: "ethereum", target: "reporter:watcher-1"), by: "frank")
        #expect(Cluster.reason(again).contains("watcher watcher-1 planted no poisoned flag on ethereum"), "\(again)")
        let (_, bad) = try c.propose(.clearWatchFlag(chain: "ethereum", target: "reporter:watcher 1"), by: "frank")
        #expect(Cluster.reason(bad).contains("the watcher bot's id \"watcher 1\" is not 1 to 64 of [a-z0-9-_.@]"), "\(bad)")
        #expect(try WatchClearance("reporter:" + String(repeating: "w", count: 64)).text.count == 73)
        #expect(GovernanceChange.clearWatchFlag(chain: "ethereum", target: "reporter:watcher-1").operation.action == .changePolicy)
    }

    /// Review helper-54 L2, L3: the words the approvers read for `transaction:T` and `below:N`
    /// say what they leave behind (a watcher's summary beyond the flood records).
    @Test func transactionAndBelowClearancesSayTheyLeaveSummaryMembers() throws {
        let hash = "0x" + String(repeating: "ab", count: 32)
        #expect(try WatchClearance(hash).words.contains("members kept in a watcher's summary beyond the flood records stay"))
        #expect(try WatchClearance("below:200").words.contains("its members stay if its highest block is 200 or later"))
    }
}
