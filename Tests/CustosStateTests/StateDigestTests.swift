import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Foundation
import Testing

/// The state digest is stored by nodes and compared across them: its bytes must not change when
/// the code that computes it is reorganised. A small state built from fixed keys is pinned to the
/// hex value of version 21 of the digest (`custos.governance.state.v21`: the rooms that grow with
/// traffic enter by their write journals; key times, issue 14, are in it; so are the windows and
/// prices rooms and the window figures and price a decision read, and the registered assets and
/// the transactions room, issue 11; when a time-locked operation executes, issue 14; and the
/// windows' held count; the approvals room and each request approval's review, limit and flag;
/// the watch room and a decision's destination warnings; the cooling-off of address-book
/// entries, issue 17; each approval in the approvals room at the later of its block and signing
/// time; the watch room's tagged records, flags the quorum cleared and what each report covers,
/// issue 17 review; each report's part, parts, coverage and unflagged count, and what each
/// clearance cleared, issue 17 second review; each chain's flood set by its count and running
/// digest, and how many counterparties each report put in it, issue 17 third review; the flood
/// set's 16-byte fingerprints and the clearances it keeps, issue 17 fourth review; the watcher
/// of each flood member in the flood set's running digest, review helper-54; a report
/// extending its own watcher's coverage, review helper-58 M2; a second watcher's report of a
/// flag or flood member and what each clearance kept, review helper-64 M2; each planned
/// transaction's latest simulation, issue 11 item 6; a receipt's mismatches by their codes
/// and log indexes, never their wording, and its logs digest over the true log count and each
/// log's full data length and digest, issue 11 item 7 review; when each planned transaction
/// was signed and the hashes it replaced by fee bumps, issue 11 item 7, v15; every way each
/// unmet require rule of a decision may be met, the offboardings, issue 14 item 4, the members'
/// checks of each receipt and its verdict, what each alert names and each later change to one,
/// the alert that froze signing, and each plan's replaced parameters, replacement count and
/// last parameters time, issue 11 item 7 reviews, and each bot's environment, issue 14 item 5, v16; each person's recorded onboarding steps
/// and each credential's attestation format and certification, issue 14 item 2, v17; a
/// deployment's init code, arguments, expected runtime code hash and view calls, and the
/// contract address every node computed, issue 15 item 2; the monitoring room by its pending and
/// settled counts and journal, issue 15 item 1; each environment's price board and watch room,
/// each credential's anchoring, and the restores accepted; v18; each environment's windows, review helper-125 H1, v19; each vault's offline enrolment, issue 15 item 3, v20; each request's height and block hash and each signing session's offline attempt, issue 15 item 3, v21).
@Suite struct StateDigestTests {
    static func fixedKey(_ label: String) -> [UInt8] { Hashes.sha256(Array("custos digest pin \(label)".utf8)) }

    /// The test cluster with credentials from fixed keys.
    static func cluster() throws -> Cluster {
        try Cluster { id in
            SoftwareAuthenticator(
                privateKey: try P256.Signing.PrivateKey(rawRepresentation: fixedKey(id)), credentialId: fixedKey("credential \(id)"))
        }
    }

    static func botKey() throws -> BotSigningKey {
        BotSigningKey(ed25519: try Curve25519.Signing.PrivateKey(rawRepresentation: fixedKey("risk-bot")))
    }

    static func fixedState() throws -> ReplicatedState {
        var c = try cluster()
        let bot = try botKey()
        try c.registerBot("risk-bot", key: bot.publicKey)
        let source = BotSigningKey(ed25519: try Curve25519.Signing.PrivateKey(rawRepresentation: fixedKey("price-bot")))
        try c.registerBot("price-bot", key: source.publicKey, roles: [PriceEntry.sourceRole])
        c.apply(try PriceEntry.post(c.signed(PricePost(asset: "ETH", usd: FixedDecimal(3000)!, time: Int64(c.now / 1000)).json,
                                             keyId: "price-bot", key: source)))
        // Allowed, denied (over the limit), refused (an unknown body field), and a person's request.
        try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "5"), keyId: "risk-bot", key: bot))
        try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "20"), keyId: "risk-bot", key: bot))
        try c.submit(c.signed(Cluster.transfer(by: "risk-bot", extra: [("priority", .string("high"))]), keyId: "risk-bot", key: bot))
        let person = RequestEntry.personEnvelope(
            body: Cluster.transfer(by: "heidi", amount: "1"), cluster: c.state.genesisDigest, user: "heidi", timestamp: Int64(c.now), nonce: c.nonce())
        c.apply(try RequestEntry.submit(person, assertion: c.assert("heidi", RequestEntry.personChallenge(person))))
        try c.propose(.freeze, by: "heidi")
        return c.state
    }

    @Test func digestOfAFixedStateIsPinned() throws {
        let state = try Self.fixedState()
        #expect(state.requestBook.order.count == 3)
        #expect(state.refusals.count == 1)
        #expect(state.prices.board(.development).quotes["ETH"]?["price-bot"]?.usd == FixedDecimal(3000)!)
        #expect(state.windows.book(.development).destinations.count == 1)
        #expect(state.frozen)
        #expect(state.digest.hexString == "9f975c133085982296b62e2ed73ce45061375443205239292098db79b2d5f9f6")
    }

    /// Address-book entries added by a policy change with a cooling-off, one cancelled by a
    /// security officer and one waived by the quorum.
    @Test func digestOfAStateWithCoolingOffIsPinned() throws {
        var c = try Self.cluster()
        let entries = ["otc": "0x7777777777777777777777777777777777777777", "desk": "0x8888888888888888888888888888888888888888"]
            .sorted { $0.key < $1.key }.map { "  \($0.key):\n    chain: ethereum\n    address: \"\($0.value)\"\n    tags: [exchange]\n" }.joined()
        try c.govern(.changePolicy(yaml: Cluster.policy(version: 2)
            .replacingOccurrences(of: "    tags: [exchange]\n", with: "    tags: [exchange]\n" + entries)
            .replacingOccurrences(of: "governance:\n", with: "cooling_off: {default: 48h}\ngovernance:\n")))
        try c.propose(.cancelAddressBookEntry(entry: "otc"), by: "heidi")
        try c.govern(try c.waiver(of: "desk"))
        #expect(c.state.addressBookStandings["otc"]?.cancelled?.user == "heidi")
        #expect(c.state.addressBookStandings["desk"]?.waived?.user == "frank")
        #expect(c.state.digest.hexString == "631a63ccd2ed61ef0192f5dea2351c1e4cc3a1a6407315a07f6d711c38affbe1")
    }

    /// An offboarding (v16), under a quorum of one admin: heidi proposed risk-bot's
    /// registration and has a request and an operation open; she is offboarded with a 30-day
    /// monitoring window.
    @Test func digestOfAStateWithAnOffboardingIsPinned() throws {
        var c = try Cluster(policyYAML: Cluster.policy().replacing("count: 2", with: "count: 1")) { id in
            SoftwareAuthenticator(
                privateKey: try P256.Signing.PrivateKey(rawRepresentation: Self.fixedKey(id)), credentialId: Self.fixedKey("credential \(id)"))
        }
        let (add, _) = try c.propose(.addBot(id: "risk-bot", key: try Self.botKey().publicKey, roles: ["trading-bot"]), by: "heidi")
        try c.approve(add, by: "frank")
        let person = RequestEntry.personEnvelope(
            body: Cluster.transfer(by: "heidi", amount: "1"), cluster: c.state.genesisDigest, user: "heidi", timestamp: Int64(c.now), nonce: c.nonce())
        c.apply(try RequestEntry.submit(person, assertion: c.assert("heidi", RequestEntry.personChallenge(person))))
        let (open, _) = try c.propose(.addUser(id: "judy", roles: ["viewer"]), by: "heidi")
        let (offboard, _) = try c.propose(.offboardUser(id: "heidi", monitorDays: 30), by: "frank")
        try c.approve(offboard, by: "grace")
        let o = try #require(c.state.offboardings["heidi"], "\(c.state.refusals.map(\.error.reason))")
        #expect(o.roles == ["security"] && o.botsDue == ["risk-bot"] && o.withdrawnOperations == [open.id])
        #expect(o.monitorUntil == o.at + 30 * 86_400_000)
        #expect(c.state.digest.hexString == "17e40d8ec7b86492a655dba1881396aac9a66860153def49406ae1cb36d127b6")
    }

    /// Under a policy bounding approvals: two timed governance approvals, one signed two minutes
    /// ahead of its block (kept in the approvals room at its signing time), and an untimed one
    /// refused.
    @Test func digestOfAStateWithTimedApprovalsIsPinned() throws {
        var c = try Cluster(policyYAML: Cluster.policy().replacing("rules:\n", with: "approvals: {per_person_per_hour: 5}\nrules:\n")) { id in
            SoftwareAuthenticator(
                privateKey: try P256.Signing.PrivateKey(rawRepresentation: Self.fixedKey(id)), credentialId: Self.fixedKey("credential \(id)"))
        }
        let (p, _) = try c.propose(.addUser(id: "ivan", roles: ["trader"]), by: "erin")
        #expect(Cluster.code(c.apply(try c.approveEntry(p, by: "frank", timing: nil))) == .decisionTiming)
        c.apply(try c.approveEntry(p, by: "frank", timing: DecisionTiming(signedAt: c.now + 1000 + 120_000, reviewMillis: 9_000)))
        try c.approve(p, by: "grace")
        #expect(c.state.users["ivan"] != nil)
        #expect(c.state.approvalBook.approvals(by: "frank", at: c.now).first == c.now - 1000 + 120_000)
        #expect(c.state.digest.hexString == "5ee96474681f8825986908e3a20341bbd1dc56c7856ff6fd5400f43dbcba7920")
    }

    /// The rooms that grow enter the digest by their journals: each request and refusal moves
    /// it, and two copies that apply the same entry agree.
    @Test func everyRequestAndRefusalMovesTheDigest() throws {
        var c = try Self.cluster()
        let bot = try Self.botKey()
        try c.registerBot("risk-bot", key: bot.publicKey)
        var digests = [c.state.digest]
        try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "5"), keyId: "risk-bot", key: bot))
        digests.append(c.state.digest)
        let refusals = c.state.refusals.count
        try c.submit(c.signed(Cluster.transfer(by: "risk-bot", extra: [("priority", .string("high"))]), keyId: "risk-bot", key: bot))
        #expect(c.state.refusals.count == refusals + 1)
        digests.append(c.state.digest)
        #expect(Set(digests).count == 3)

        let entry = try RequestEntry.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "6"), keyId: "risk-bot", key: bot))
        var a = c.state
        var b = c.state
        a.apply(entry, blockTime: c.now)
        b.apply(entry, blockTime: c.now)
        #expect(a.digest == b.digest && a.digest != c.state.digest)
    }
}
