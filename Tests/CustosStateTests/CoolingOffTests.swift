import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosNode
import CustosPolicy
import CustosSigning
import Foundation
@testable import CustosState
import Testing

/// Cooling-off for new destinations (issue #17 item 1), tried as an attacker would: a quorum
/// that adds its own address and withdraws in the same block, a second later, or after moving an
/// entry to a new address; a non-officer cancelling, a cancel after the wait, a waiver without
/// the quorum; a request allowed before its entry changed, re-decided at parameters time and
/// checked again by the signers.
@Suite struct CoolingOffTests {
    static let hour: UInt64 = 3_600_000
    static let attacker = "0x7777777777777777777777777777777777777777"
    static let other = "0x8888888888888888888888888888888888888888"

    let ecdsa = ECDSASigningTests()
    let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
    let executor = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())

    /// An address-book entry on ethereum, as the test policy writes one.
    static func entry(_ name: String, _ address: String, tags: String = "[exchange]", counterparty: String? = nil) -> String {
        "  \(name):\n    chain: ethereum\n    address: \"\(address)\"\n" + (counterparty.map { "    counterparty: \($0)\n" } ?? "") + "    tags: \(tags)\n"
    }

    /// The transaction test policy at `version` with `coolingOff` (none when nil), kraken tagged
    /// `krakenTags`, and `entries` after kraken.
    static func policy(version: Int, coolingOff: String? = "{default: 48h}", krakenTags: String = "[exchange]", entries: String = "") -> String {
        var yaml = Cluster.transactionPolicy(version: version)
            .replacingOccurrences(of: "    tags: [exchange]\n", with: "    tags: \(krakenTags)\n" + entries)
        if let coolingOff { yaml = yaml.replacingOccurrences(of: "governance:\n", with: "cooling_off: \(coolingOff)\ngovernance:\n") }
        return yaml
    }

    func cluster() throws -> Cluster {
        var c = try ecdsa.ceremony.cluster()
        _ = try ecdsa.ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        try c.prepareTransactions(bot: bot, executor: executor)
        return c
    }

    func transfer(_ c: inout Cluster, to address: String) throws -> Entry {
        try RequestEntry.submit(c.signed(Cluster.evmTransfer(to: address), keyId: "risk-bot", key: bot))
    }

    /// The decision of a request submitted in the next block.
    func decide(_ c: inout Cluster, to address: String) throws -> (id: String, decision: PolicyDecision) {
        let outcome = c.apply(try transfer(&c, to: address))
        guard case .requestDecided(let id, _) = outcome, let recorded = c.state.requestBook.requests[id] else {
            throw FROSTSigningTests.TestFailure("the request was refused: \(Cluster.reason(outcome))")
        }
        return (id, recorded.decision)
    }

    static func seconds(_ ms: UInt64) -> Int64 { Int64((ms + 999) / 1000) }

    @Test func aQuorumThatAddsItsOwnAddressCannotWithdrawInTheSameBlockNorUntilTheDelayEnds() throws {
        var c = try cluster()
        let (p, _) = try c.propose(.changePolicy(yaml: Self.policy(version: 3, entries: Self.entry("attacker-eth", Self.attacker))), by: "frank")
        try c.approve(p, by: "grace")
        // The last approval and the withdrawal in one block, on two nodes alike.
        let approval = try c.approveEntry(p, by: "erin")
        let withdrawal = try transfer(&c, to: Self.attacker)
        c.now += 1000
        var replica = c.state
        #expect(c.state.apply(approval, blockTime: c.now) == .applied(operationId: p.id, status: .executed))
        let outcome = c.state.apply(withdrawal, blockTime: c.now)
        #expect(replica.apply(approval, blockTime: c.now) == .applied(operationId: p.id, status: .executed))
        #expect(replica.apply(withdrawal, blockTime: c.now) == outcome)
        #expect(replica.digest == c.state.digest)
        let usableFrom = Self.seconds(c.now + 48 * Self.hour)
        let standing = try #require(c.state.addressBookStandings["attacker-eth"])
        #expect(standing.since == c.now && standing.usableFrom == c.now + 48 * Self.hour && standing.operationId == p.id)
        guard case .requestDecided(let id, .deny) = outcome else { Issue.record("not denied: \(outcome)"); return }
        let held = PolicyDecision.Reason.destinationHeld(entry: "attacker-eth", .coolingOff(usableFrom: usableFrom))
        #expect(c.state.requestBook.requests[id]?.decision.reason == held)
        #expect(ReplicatedState.describe(held).hasPrefix("attacker-eth usable from \(UTCTime.text(usableFrom))"))
        #expect(c.state.transactions[id] == nil, "nothing is planned for a denied request")
        // A second later, and a second before the delay ends: still refused, with the time.
        #expect(try decide(&c, to: Self.attacker).decision.reason == held)
        c.now = UInt64(usableFrom) * 1000 - 2000
        #expect(try decide(&c, to: Self.attacker).decision.reason == held)
        // From the first block at its time on, the rules decide.
        #expect(try decide(&c, to: Self.attacker).decision.reason == .allowedByRule("bot-to-exchanges"))
        #expect(c.state.addressBookStandings["attacker-eth"]?.isCoolingOff(at: c.now) == false)
    }

    @Test func changingAnEntryRestartsItsCoolingOffAndNothingElseDoes() throws {
        var c = try cluster()
        let otc = Self.entry("otc", Self.attacker)
        try c.govern(.changePolicy(yaml: Self.policy(version: 3, coolingOff: "{default: 1h}", entries: otc)))
        c.now += Self.hour
        #expect(try decide(&c, to: Self.attacker).decision.outcome == .allow)
        // A change elsewhere in the policy keeps otc's standing.
        let before = c.state.addressBookStandings["otc"]
        try c.govern(.changePolicy(yaml: Self.policy(version: 4, coolingOff: "{default: 1h}", entries: otc + Self.entry("desk", Self.other))))
        #expect(c.state.addressBookStandings["otc"] == before)
        #expect(try decide(&c, to: Self.attacker).decision.outcome == .allow)
        // Moving otc to another address: the new address waits, the old one is no entry at all.
        try c.govern(.changePolicy(yaml: Self.policy(version: 5, coolingOff: "{default: 1h}", entries: Self.entry("otc", "0x6666666666666666666666666666666666666666"))))
        let moved = try decide(&c, to: "0x6666666666666666666666666666666666666666").decision.reason
        guard case .destinationHeld("otc", .coolingOff) = moved else { Issue.record("not held: \(moved)"); return }
        #expect(try decide(&c, to: Self.attacker).decision.reason == .noRuleMatched)
        // New tags or a new counterparty restart it too; so does removing it and adding it back.
        c.now += Self.hour
        for (version, entries) in [(6, Self.entry("otc", "0x6666666666666666666666666666666666666666", tags: "[exchange, otc]")),
                                   (7, Self.entry("otc", "0x6666666666666666666666666666666666666666", tags: "[otc, exchange]", counterparty: "galaxy")),
                                   (8, ""), (9, Self.entry("otc", "0x6666666666666666666666666666666666666666", tags: "[otc, exchange]", counterparty: "galaxy"))] {
            try c.govern(.changePolicy(yaml: Self.policy(version: version, coolingOff: "{default: 1h}", entries: entries)))
            if entries.isEmpty {
                #expect(c.state.addressBookStandings["otc"] == nil)
            } else {
                #expect(c.state.addressBookStandings["otc"]?.since == c.now, "version \(version)")
            }
        }
        // Reordering its tags (version 7 → 9 kept them) is no change: version 10 keeps the standing.
        let since = c.state.addressBookStandings["otc"]?.since
        try c.govern(.changePolicy(yaml: Self.policy(version: 10, coolingOff: "{default: 1h}",
                                                       entries: Self.entry("otc", "0x6666666666666666666666666666666666666666", tags: "[exchange, otc]", counterparty: "galaxy"))))
        #expect(c.state.addressBookStandings["otc"]?.since == since)
    }

    /// Security review H1: the change that adds an address also picks its tags, so for a new
    /// destination an override only lengthens the wait — unless the address is the cluster's own.
    @Test func tagAndCounterpartySettingsOverrideTheDefaultAndTheLongestWins() throws {
        var c = try cluster()
        let own = try #require(c.state.vaults["hot"]?.rootAddresses.first { $0.chain == .evm }?.address)
        let entries = Self.entry("treasury", own, tags: "[exchange, internal]")
            + Self.entry("kraken-2", Self.attacker, counterparty: "kraken")
            + Self.entry("kraken-internal", "0x3333333333333333333333333333333333333333", tags: "[internal]", counterparty: "kraken")
            + Self.entry("desk", Self.other)
            + Self.entry("self-tagged", "0x2222222222222222222222222222222222222222", tags: "[exchange, internal]")
        try c.govern(.changePolicy(yaml: Self.policy(version: 3, coolingOff: "{default: 48h, tags: {internal: 0s}, counterparties: {kraken: 72h}}",
                                                       entries: entries)))
        for (name, hours) in [("treasury", UInt64(0)), ("kraken-2", 72), ("kraken-internal", 72), ("desk", 48), ("self-tagged", 48)] {
            let s = try #require(c.state.addressBookStandings[name])
            #expect(s.usableFrom - s.since == hours * Self.hour, "\(name)")
        }
        #expect(c.state.addressBookStandings["kraken"] == nil, "an entry of the genesis policy is usable at once")
        #expect(try decide(&c, to: own).decision.outcome == .allow, "the vault's own address, tagged internal, waits nothing")
        guard case .destinationHeld("self-tagged", .coolingOff) = try decide(&c, to: "0x2222222222222222222222222222222222222222").decision.reason else {
            Issue.record("an address the quorum tagged internal is not held"); return
        }
        guard case .destinationHeld("kraken-2", .coolingOff) = try decide(&c, to: Self.attacker).decision.reason else {
            Issue.record("kraken-2 is not held"); return
        }
        // Final review M1: an hour later the quorum drops kraken-2's counterparty (72h) and
        // re-tags desk `internal` (0s), both still waiting. Neither wait gets shorter: kraken-2
        // waits the old policy's 72h for it as it was, desk the default, and neither becomes
        // usable before the time its running wait ended.
        let kraken2 = try #require(c.state.addressBookStandings["kraken-2"])
        let deskBefore = try #require(c.state.addressBookStandings["desk"])
        c.now += Self.hour
        let retagged = entries
            .replacingOccurrences(of: "  kraken-2:\n    chain: ethereum\n    address: \"\(Self.attacker)\"\n    counterparty: kraken\n",
                                  with: "  kraken-2:\n    chain: ethereum\n    address: \"\(Self.attacker)\"\n")
            .replacingOccurrences(of: "  desk:\n    chain: ethereum\n    address: \"\(Self.other)\"\n    tags: [exchange]\n",
                                  with: "  desk:\n    chain: ethereum\n    address: \"\(Self.other)\"\n    tags: [exchange, internal]\n")
        #expect(retagged.components(separatedBy: "counterparty: kraken").count == 2, "only kraken-internal keeps its counterparty")
        #expect(retagged.contains("tags: [exchange, internal]\n  self-tagged"))
        try c.govern(.changePolicy(yaml: Self.policy(version: 4, coolingOff: "{default: 48h, tags: {internal: 0s}, counterparties: {kraken: 72h}}",
                                                       entries: retagged)))
        let kraken2After = try #require(c.state.addressBookStandings["kraken-2"])
        #expect(kraken2After.since == c.now && kraken2After.usableFrom == c.now + 72 * Self.hour, "not the default's 48h")
        #expect(kraken2After.usableFrom > kraken2.usableFrom)
        let desk = try #require(c.state.addressBookStandings["desk"])
        #expect(desk.usableFrom == c.now + 48 * Self.hour && desk.usableFrom >= deskBefore.usableFrom)
        guard case .destinationHeld("desk", .coolingOff) = try decide(&c, to: Self.other).decision.reason else {
            Issue.record("a re-tagged waiting entry is not held"); return
        }
        c.now = kraken2.usableFrom
        guard case .destinationHeld("kraken-2", .coolingOff) = try decide(&c, to: Self.attacker).decision.reason else {
            Issue.record("kraken-2 became usable when its old 72h wait ended, though the change restarted it"); return
        }
        // A change that adds an entry and drops the cooling-off at once does not spare its own
        // entry: it waits the longer of the two policies' delays.
        try c.govern(.changePolicy(yaml: Self.policy(version: 5, coolingOff: nil, entries: retagged + Self.entry("sneaky", "0x4444444444444444444444444444444444444444"))))
        let sneaky = try #require(c.state.addressBookStandings["sneaky"])
        #expect(sneaky.usableFrom - sneaky.since == 48 * Self.hour)
        guard case .destinationHeld("sneaky", .coolingOff) = try decide(&c, to: "0x4444444444444444444444444444444444444444").decision.reason else {
            Issue.record("sneaky is not held"); return
        }
        // Without the section in either policy, a new entry is usable at once (today's behaviour).
        try c.govern(.changePolicy(yaml: Self.policy(version: 6, coolingOff: nil, entries: retagged + Self.entry("later", "0x5555555555555555555555555555555555555556"))))
        #expect(try decide(&c, to: "0x5555555555555555555555555555555555555556").decision.outcome == .allow)
    }

    /// Final review M1: an entry usable for long, re-tagged `internal` (0s), waits the default
    /// again: a change of tags is a change, and only the cluster's own vault addresses skip the
    /// default (`tagAndCounterpartySettingsOverrideTheDefaultAndTheLongestWins` checks the
    /// exception). Under the example policy a rebalancer could otherwise send there at once.
    @Test func reTaggingAnUsableEntryInternalWaitsTheDefault() throws {
        var c = try cluster()
        let settings = "{default: 48h, tags: {internal: 0s}}"
        // (The policy's check wants an entry carrying each tag its cooling_off names.)
        let ops = Self.entry("ops", "0x2222222222222222222222222222222222222222", tags: "[internal]")
        try c.govern(.changePolicy(yaml: Self.policy(version: 3, coolingOff: settings, entries: Self.entry("desk", Self.other) + ops)))
        c.now += 49 * Self.hour
        #expect(try decide(&c, to: Self.other).decision.outcome == .allow)
        try c.govern(.changePolicy(yaml: Self.policy(version: 4, coolingOff: settings, entries: Self.entry("desk", Self.other, tags: "[exchange, internal]") + ops)))
        let desk = try #require(c.state.addressBookStandings["desk"])
        #expect(desk.since == c.now && desk.usableFrom == c.now + 48 * Self.hour)
        guard case .destinationHeld("desk", .coolingOff) = try decide(&c, to: Self.other).decision.reason else {
            Issue.record("an entry re-tagged internal is usable at once"); return
        }
    }

    @Test func onlyASecurityOfficerCancelsAnEntryAndOnlyDuringItsDelay() throws {
        var c = try cluster()
        try c.govern(.changePolicy(yaml: Self.policy(version: 3, entries: Self.entry("attacker-eth", Self.attacker) + Self.entry("desk", Self.other))))
        // frank is an admin, not a security officer: refused when proposed, nothing recorded.
        let (byAdmin, refused) = try c.propose(.cancelAddressBookEntry(entry: "attacker-eth"), by: "frank")
        #expect(Cluster.code(refused) == .notPermitted && c.status(byAdmin) == nil)
        #expect(Cluster.reason(refused).contains("only holders of security may"))
        // heidi, a security officer, cancels it alone, at once.
        let (cancel, outcome) = try c.propose(.cancelAddressBookEntry(entry: "attacker-eth"), by: "heidi")
        #expect(outcome == .applied(operationId: cancel.id, status: .executed))
        let cancelledAt = c.now
        #expect(c.state.addressBookStandings["attacker-eth"]?.cancelled == .init(user: "heidi", operationId: cancel.id, at: cancelledAt))
        let held = PolicyDecision.Reason.destinationHeld(entry: "attacker-eth", .cancelled(by: "heidi", at: Int64(cancelledAt / 1000)))
        #expect(try decide(&c, to: Self.attacker).decision.reason == held)
        // It never becomes usable: not after the delay, not cancelled twice.
        c.now += 49 * Self.hour
        #expect(try decide(&c, to: Self.attacker).decision.reason == held)
        #expect(ReplicatedState.describe(held).contains("cancelled by heidi"))
        let (_, again) = try c.propose(.cancelAddressBookEntry(entry: "attacker-eth"), by: "erin")
        #expect(Cluster.reason(again).contains("was cancelled by heidi"))
        // desk's delay ended: too late to cancel. kraken was in the genesis policy: nothing to cancel.
        let (_, late) = try c.propose(.cancelAddressBookEntry(entry: "desk"), by: "heidi")
        #expect(Cluster.reason(late).contains("can no longer be cancelled"))
        let (_, genesis) = try c.propose(.cancelAddressBookEntry(entry: "kraken"), by: "heidi")
        #expect(Cluster.reason(genesis).contains("in the genesis policy"))
        let (_, unknown) = try c.propose(.cancelAddressBookEntry(entry: "nowhere"), by: "heidi")
        #expect(Cluster.reason(unknown).contains("no entry \"nowhere\""))
        // Review L1: the cancellation follows the address, not the name. A re-tag, a rename, a
        // removal and re-adding all leave it cancelled.
        try c.govern(.changePolicy(yaml: Self.policy(version: 4, entries: Self.entry("attacker-eth", Self.attacker, tags: "[exchange, otc]") + Self.entry("desk", Self.other))))
        let retagged = try #require(c.state.addressBookStandings["attacker-eth"])
        #expect(retagged.cancelled?.user == "heidi" && retagged.since == c.now)
        try c.govern(.changePolicy(yaml: Self.policy(version: 5, entries: Self.entry("otc-desk-2", Self.attacker) + Self.entry("desk", Self.other))))
        #expect(c.state.addressBookStandings["otc-desk-2"]?.cancelled?.user == "heidi")
        try c.govern(.changePolicy(yaml: Self.policy(version: 6, entries: Self.entry("desk", Self.other))))
        try c.govern(.changePolicy(yaml: Self.policy(version: 7, entries: Self.entry("fresh-start", Self.attacker.uppercased().replacing("0X", with: "0x")))))
        c.now += 49 * Self.hour
        let stillCancelled = try decide(&c, to: Self.attacker).decision
        #expect(stillCancelled.reason == .destinationHeld(entry: "fresh-start", .cancelled(by: "heidi", at: Int64(cancelledAt / 1000))), "\(stillCancelled)")
        // Only the quorum's waiver lifts it, recorded.
        let (waiver, _) = try c.propose(try c.waiver(of: "fresh-start"), by: "frank")
        try c.approve(waiver, by: "grace")
        try c.approve(waiver, by: "erin")
        #expect(c.status(waiver) == .executed)
        #expect(c.state.addressBookStandings["fresh-start"]?.cancelled == nil && c.state.cancelledDestinations.isEmpty)
        #expect(try decide(&c, to: Self.attacker).decision.outcome == .allow)
    }

    @Test func aWaiverNeedsTheQuorumAndIsRecorded() throws {
        var c = try cluster()
        try c.govern(.changePolicy(yaml: Self.policy(version: 3, entries: Self.entry("attacker-eth", Self.attacker))))
        let (waiver, _) = try c.propose(try c.waiver(of: "attacker-eth"), by: "frank")
        #expect(c.state.operations[waiver.id]?.proposal.change.operation == GovernanceOperation(.changePolicy, target: "attacker-eth"), "decided as change_policy (review M1)")
        try c.approve(waiver, by: "grace")
        #expect(c.status(waiver) == .proposed, "one approval of two")
        guard case .destinationHeld("attacker-eth", .coolingOff) = try decide(&c, to: Self.attacker).decision.reason else {
            Issue.record("usable before the quorum waived it"); return
        }
        // A security officer alone does not waive either: it is the quorum's.
        let (byOfficer, _) = try c.propose(try c.waiver(of: "attacker-eth"), by: "heidi")
        #expect(c.status(byOfficer) == .proposed)
        try c.approve(waiver, by: "erin")
        #expect(c.status(waiver) == .executed)
        #expect(c.state.addressBookStandings["attacker-eth"]?.waived == .init(user: "frank", operationId: waiver.id, at: c.now))
        #expect(try decide(&c, to: Self.attacker).decision.outcome == .allow)
        // Waived is not cooling off: there is nothing left to cancel.
        let (_, cancel) = try c.propose(.cancelAddressBookEntry(entry: "attacker-eth"), by: "heidi")
        #expect(Cluster.reason(cancel).contains("was waived by operation \(waiver.id)"))
    }

    /// Final review H1, as the attacker plays it: the quorum approves waiving kraken-eth-2 for the
    /// real address; meanwhile a policy change moves kraken-eth-2 to the attacker's address and a
    /// security officer cancels it. The waiver's last approval must not clear that cancellation:
    /// the approvers signed the chain, the address and the standing, and the entry names none of
    /// them now.
    @Test func aWaiverApprovedForOneAddressNeverClearsAnotherPutUnderTheSameName() throws {
        var c = try cluster()
        try c.govern(.changePolicy(yaml: Self.policy(version: 3, entries: Self.entry("kraken-eth-2", Self.other))))
        let signed = try c.waiver(of: "kraken-eth-2")
        let added: String = try #require(c.state.addressBookStandings["kraken-eth-2"]).operationId
        let expected = GovernanceChange.waiveCoolingOff(entry: "kraken-eth-2", chain: "ethereum", address: Self.other, standing: added, lifts: "")
        #expect(signed == expected)
        let (waiver, _) = try c.propose(signed, by: "frank")
        try c.approve(waiver, by: "grace")
        try c.govern(.changePolicy(yaml: Self.policy(version: 4, entries: Self.entry("kraken-eth-2", Self.attacker))))
        let (cancel, _) = try c.propose(.cancelAddressBookEntry(entry: "kraken-eth-2"), by: "heidi")
        #expect(c.status(cancel) == .executed)
        let cancelled = PolicyDecision.Reason.destinationHeld(entry: "kraken-eth-2", .cancelled(by: "heidi", at: Int64(c.now / 1000)))
        try c.approve(waiver, by: "erin")
        #expect(c.status(waiver) == .failed)
        let failure: String = try #require(c.state.operations[waiver.id]?.failure)
        #expect(failure.contains("the waiver names kraken-eth-2 on ethereum at \(Self.other), but the entry now goes to ethereum \(Self.attacker)"), "\(failure)")
        #expect(c.state.addressBookStandings["kraken-eth-2"]?.waived == nil)
        #expect(c.state.cancelledDestinations.count == 1)
        #expect(try decide(&c, to: Self.attacker).decision.reason == cancelled)
        c.now += 49 * Self.hour
        #expect(try decide(&c, to: Self.attacker).decision.reason == cancelled, "cancelled for good")

        // Same address, but a change re-tagged it after one approval of the waiver (a new
        // standing): the approvers signed the old one, so it is refused at execution; proposed
        // now, it is refused at once. A waiver of what it is now goes through.
        try c.govern(.changePolicy(yaml: Self.policy(version: 5, entries: Self.entry("desk", Self.other))))
        let stale = try c.waiver(of: "desk")
        let (old, _) = try c.propose(stale, by: "frank")
        try c.approve(old, by: "grace")
        try c.govern(.changePolicy(yaml: Self.policy(version: 6, entries: Self.entry("desk", Self.other, tags: "[exchange, otc]"))))
        try c.approve(old, by: "erin")
        #expect(c.status(old) == .failed)
        let staleFailure: String = c.state.operations[old.id]?.failure ?? ""
        #expect(staleFailure.contains("changed it since: nothing is waived"))
        let (again, refused) = try c.propose(stale, by: "frank")
        let reason: String = Cluster.reason(refused)
        #expect(reason.contains("changed it since: nothing is waived"))
        #expect(c.status(again) == nil)
        guard case .destinationHeld("desk", .coolingOff) = try decide(&c, to: Self.other).decision.reason else {
            Issue.record("a stale waiver made desk usable"); return
        }
        try c.govern(try c.waiver(of: "desk"))
        #expect(try decide(&c, to: Self.other).decision.outcome == .allow)
    }

    /// Review of cool8, item 2: a quorum that wants a 72h counterparty address usable sooner
    /// removes the entry an hour in, and an hour later adds it again without the counterparty
    /// (under another name). The re-added entry waits until the running 72h wait ends, not the
    /// default from now; once it ends, the kept wait is pruned.
    @Test func anEntryRemovedAndAddedAgainWaitsOutTheWaitItWasServing() throws {
        var c = try cluster()
        let rules = "{default: 48h, counterparties: {kraken: 72h}}"
        try c.govern(.changePolicy(yaml: Self.policy(version: 3, coolingOff: rules, entries: Self.entry("kraken-2", Self.other, counterparty: "kraken"))))
        let first = try #require(c.state.addressBookStandings["kraken-2"])
        #expect(first.usableFrom - first.since == 72 * Self.hour)
        c.now += Self.hour
        try c.govern(.changePolicy(yaml: Self.policy(version: 4, coolingOff: "{default: 48h}")))
        #expect(c.state.addressBookStandings["kraken-2"] == nil)
        #expect(c.state.coolingDestinations == ["ethereum/" + Self.other.lowercased(): first.usableFrom])
        c.now += Self.hour
        try c.govern(.changePolicy(yaml: Self.policy(version: 5, coolingOff: "{default: 48h}", entries: Self.entry("desk", Self.other))))
        let again = try #require(c.state.addressBookStandings["desk"])
        #expect(again.since == c.now && again.usableFrom == first.usableFrom, "not the default's 48h from now")
        c.now = first.usableFrom - Self.hour
        guard case .destinationHeld("desk", .coolingOff) = try decide(&c, to: Self.other).decision.reason else {
            Issue.record("the re-added entry became usable before the wait it was serving ended"); return
        }
        c.now = first.usableFrom
        #expect(try decide(&c, to: Self.other).decision.outcome == .allow)
        try c.govern(.changePolicy(yaml: Self.policy(version: 6, coolingOff: "{default: 48h}", entries: Self.entry("desk", Self.other))))
        #expect(c.state.coolingDestinations.isEmpty, "pruned once the wait ended")
    }

    /// The bound on addresses cooling off at once refuses only a change that makes them grow
    /// past it: a quorum that added many entries is never locked out of the policy, since a
    /// change adding no wait (here, removing every entry) still passes (review helper-81 M2).
    @Test func theBoundOnWaitingAddressesRefusesGrowthButNeverAChangeThatAddsNoWait() throws {
        var c = try cluster()
        // A governance entry holds at most 64 KiB, so 700 entries per change; each change puts
        // 700 other addresses in the book, and the waits of those it removes are kept.
        let count = 700
        func entries(_ batch: Int) -> String {
            (0..<count).map { i in Self.entry("e\(batch)-\(i)", "0x" + String(format: "%02x%038x", batch, i), tags: "[]") }.joined()
        }
        for batch in 1...5 { try c.govern(.changePolicy(yaml: Self.policy(version: 2 + batch, entries: entries(batch)))) }
        #expect(c.state.coolingDestinations.count == 4 * count)
        // A sixth batch would make 4,200 wait: refused when proposed, nothing changes.
        let (grow, refused) = try c.propose(.changePolicy(yaml: Self.policy(version: 8, entries: entries(6))), by: "frank")
        #expect(c.status(grow) == nil)
        #expect(Cluster.reason(refused).contains("\(6 * count) addresses would be cooling off at once, more than 4096"), "\(Cluster.reason(refused))")
        #expect(c.state.document.version == 7)
        // Removing every entry adds no wait: it passes, and the removed entries' waits are kept.
        try c.govern(.changePolicy(yaml: Self.policy(version: 8)))
        #expect(c.state.coolingDestinations.count == 5 * count)
    }

    /// Security review M2, as the attacker plays it: the quorum starts approving a waiver of
    /// kraken-eth-2 while it only cools off; a security officer then cancels it. Cancelling does
    /// not change the entry's standing, so the waiver's last approval (or a gateway that held it
    /// back) must still not clear the officer's cancellation: the approvers signed "no
    /// cancellation". Proposed again as it is, it is refused at once; the honest waiver naming
    /// the officer's cancellation lifts it.
    @Test func approvalsGivenBeforeAnOfficerCancelledNeverLiftTheCancellation() throws {
        var c = try cluster()
        try c.govern(.changePolicy(yaml: Self.policy(version: 3, entries: Self.entry("kraken-eth-2", Self.other))))
        let early = try c.waiver(of: "kraken-eth-2")
        guard case .waiveCoolingOff(_, _, _, let standing, let lifts) = early else { Issue.record("not a waiver: \(early)"); return }
        #expect(lifts == "")
        let (waiver, _) = try c.propose(early, by: "frank")
        try c.approve(waiver, by: "grace")
        let (cancel, _) = try c.propose(.cancelAddressBookEntry(entry: "kraken-eth-2"), by: "heidi")
        #expect(c.status(cancel) == .executed)
        let cancelled = PolicyDecision.Reason.destinationHeld(entry: "kraken-eth-2", .cancelled(by: "heidi", at: Int64(c.now / 1000)))
        try c.approve(waiver, by: "erin")
        #expect(c.status(waiver) == .failed)
        let failure: String = c.state.operations[waiver.id]?.failure ?? ""
        #expect(failure.contains("lifts no cancellation, but it was cancelled by heidi (operation \(cancel.id)): nothing is waived"), "\(failure)")
        #expect(c.state.addressBookStandings["kraken-eth-2"]?.cancelled?.operationId == cancel.id)
        #expect(c.state.addressBookStandings["kraken-eth-2"]?.waived == nil)
        #expect(c.state.cancelledDestinations.count == 1)
        c.now += 49 * Self.hour
        #expect(try decide(&c, to: Self.other).decision.reason == cancelled, "still cancelled after the default wait")

        let (again, refused) = try c.propose(early, by: "frank")
        #expect(Cluster.reason(refused).contains("lifts no cancellation, but it was cancelled by heidi"))
        #expect(c.status(again) == nil)
        let honest = try c.waiver(of: "kraken-eth-2")
        #expect(honest == .waiveCoolingOff(entry: "kraken-eth-2", chain: "ethereum", address: Self.other,
                                           standing: standing, lifts: cancel.id))
        try c.govern(honest)
        #expect(c.state.addressBookStandings["kraken-eth-2"]?.cancelled == nil)
        #expect(c.state.cancelledDestinations.isEmpty)
        #expect(try decide(&c, to: Self.other).decision.outcome == .allow)
    }

    /// The waiver's encoding carries the chain, address and standing (kind 46) and decodes back;
    /// the retired kind 44, which named only the entry, no longer decodes.
    @Test func aWaiverEncodesItsDestinationAndTheOldKindIsRefused() throws {
        let waiver = GovernanceProposal(id: "op-9", proposer: "frank",
                                        change: .waiveCoolingOff(entry: "kraken-eth-2", chain: "ethereum", address: Self.other, standing: "op-3", lifts: "op-5"))
        #expect(try GovernanceProposal(encoded: waiver.encoded) == waiver)
        let cancel = GovernanceProposal(id: "op-9", proposer: "frank", change: .cancelAddressBookEntry(entry: "kraken-eth-2"))
        let freeze: [UInt8] = GovernanceProposal(id: "op-9", proposer: "frank", change: .freeze).encoded
        var old: [UInt8] = cancel.encoded
        let kind: Int = try #require(old.indices.first { old[$0] != freeze[$0] })
        #expect(old[kind] == 43)
        old[kind] = 44
        do {
            _ = try GovernanceProposal(encoded: old)
            Issue.record("a kind-44 waiver still decodes")
        } catch {
            #expect(error.reason.contains("change kind 44 (a cooling-off waiver naming only the entry, not its address) is retired"))
        }
    }

    @Test func theReDecisionAtParametersTimeRefusesAnEntryThatStartedCoolingOffOrWasCancelled() throws {
        var c = try cluster()
        let (id, decision) = try decide(&c, to: Cluster.kraken)
        #expect(decision.outcome == .allow)
        // The quorum re-tags kraken after the request was allowed: kraken cools off again.
        try c.govern(.changePolicy(yaml: Self.policy(version: 3, krakenTags: "[exchange, tier1]")))
        let usableFrom = Self.seconds(c.now + 48 * Self.hour)
        let cooling = c.apply(try c.parameters(id, nonce: 0, key: executor))
        #expect(Cluster.reason(cooling).contains("denied by the policy in force now: kraken usable from \(UTCTime.text(usableFrom))"))
        let (cancel, _) = try c.propose(.cancelAddressBookEntry(entry: "kraken"), by: "heidi")
        #expect(c.status(cancel) == .executed)
        let cancelled = c.apply(try c.parameters(id, nonce: 0, key: executor))
        #expect(Cluster.reason(cancelled).contains("kraken was cancelled by heidi"))
        #expect(c.state.signing[id] == nil && c.state.transactions[id]?.parameters == nil)
    }

    @Test func aSignerRefusesToSignForAnEntryThatStartedCoolingOffAfterTheParameters() throws {
        var c = try ecdsa.ceremony.cluster()
        let keys = try ecdsa.ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        try c.prepareTransactions(bot: bot, executor: executor)
        let (id, decision) = try decide(&c, to: Cluster.kraken)
        #expect(decision.outcome == .allow)
        #expect(c.apply(try c.parameters(id, nonce: 0, key: executor)) == .transactionParameters(requestId: id, nonce: 0))
        var s = ECDSASigningTests.Setup(c: c, keys: keys, request: id)
        for n in ecdsa.nodes { s.databases[n.id] = try NodeDatabase.inMemory() }
        try ecdsa.confirm(&s, batch: 0, try ecdsa.presign(&s, batch: 0))
        let session = try #require(s.c.state.signing[id])
        #expect(session.status == .signing)
        #expect(throws: Never.self) { try FROSTSigningRound.check(s.c.state, request: id, me: session.signers[0]) }
        try s.c.govern(.changePolicy(yaml: Self.policy(version: 3, krakenTags: "[exchange, tier1]")))
        do {
            _ = try FROSTSigningRound.check(s.c.state, request: id, me: session.signers[0])
            Issue.record("a signer would sign for an entry that is cooling off")
        } catch {
            #expect(error.reason.contains("kraken usable from"))
        }
    }
}
