import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosState
import CustosTestSupport
import Testing

/// Expiry by block time, the lifecycle in the state, determinism across copies, and the genesis
/// checks (a production genesis refuses software credentials).
@Suite struct LifecycleTests {
    @Test func operationsExpireByBlockTime() throws {
        var c = try Cluster()
        let (p, _) = try c.propose(.addUser(id: "ivan", roles: []), by: "frank", lifetime: 60)
        let proposedAt = c.now
        #expect(c.state.operations[p.id]?.expiresAt == proposedAt + 60_000)
        try c.approve(p, by: "grace")
        // Just before the end it is still open.
        c.state.advance(to: proposedAt + 59_999)
        #expect(c.status(p) == .proposed)
        c.state.advance(to: proposedAt + 60_000)
        #expect(c.status(p) == .expired)
        #expect(c.state.operations[p.id]?.decidedAt == proposedAt + 60_000)
        c.now = proposedAt + 60_000
        #expect(Cluster.code(try c.approve(p, by: "erin")) == .expired)
        #expect(c.state.users["ivan"] == nil)
    }

    @Test func anApprovalInALaterBlockAfterExpiryIsRefused() throws {
        var c = try Cluster()
        let (p, _) = try c.propose(.addUser(id: "ivan", roles: []), by: "frank", lifetime: 60)
        let approval = try c.approveEntry(p, by: "grace")
        let outcome = c.state.apply(approval, blockTime: c.now + 61_000)
        #expect(Cluster.code(outcome) == .expired)
        #expect(c.status(p) == .expired)
    }

    @Test func aBlockAdvancesTimeEvenWithoutGovernanceEntries() throws {
        var c = try Cluster()
        let (p, _) = try c.propose(.addUser(id: "ivan", roles: []), by: "frank", lifetime: 1)
        let other = try Entry(kind: "transfer.request", payload: [1, 2, 3])
        let block = try Block(height: 2, previousHash: LedgerHash(bytes: c.genesis.digest), timestamp: c.now + 5_000, entries: [other])
        // The entry is refused (no node knows its kind); the block's time still moves the clock.
        #expect(c.state.apply(block).map(Cluster.code) == [.unknownKind])
        #expect(c.status(p) == .expired)
    }

    @Test func lifecycleIsVisible() throws {
        var c = try Cluster()
        let (executed, _) = try c.propose(.addUser(id: "ivan", roles: []), by: "frank")
        let (rejected, _) = try c.propose(.addUser(id: "judy", roles: []), by: "frank")
        let (expiring, _) = try c.propose(.addUser(id: "kim", roles: []), by: "frank", lifetime: 1)
        let (failing, _) = try c.propose(.addUser(id: "ivan", roles: ["x"]), by: "grace")
        try c.approve(executed, by: "grace")
        try c.approve(executed, by: "erin")
        c.apply(try c.rejectEntry(rejected, by: "erin"))
        // ivan exists now: the second proposal to add him fails when approved.
        try c.approve(failing, by: "frank")
        try c.approve(failing, by: "erin")
        let statuses = [executed, rejected, expiring, failing].map { c.status($0) }
        #expect(statuses == [.executed, .rejected, .expired, .failed])
        #expect(c.state.operations[failing.id]?.failure?.contains("exists") == true)
        #expect(c.state.operations[executed.id]?.approvals == ["grace", "erin"])
    }

    /// A mixed sequence of accepted and refused entries.
    static func script(_ c: inout Cluster) throws -> [(Entry, UInt64)] {
        var entries: [(Entry, UInt64)] = []
        var t: UInt64 = 1_900_000_000_000
        func add(_ e: Entry) { t += 1_500; entries.append((e, t)) }
        let p = GovernanceProposal(id: "a", proposer: "frank", change: .addUser(id: "ivan", roles: ["trader"]))
        let q = GovernanceProposal(id: "b", proposer: "heidi", change: .freeze)
        let r = GovernanceProposal(id: "c", proposer: "erin", change: .unfreeze, lifetimeSeconds: 4)
        add(try c.proposeEntry(p))
        add(try c.approveEntry(p, by: "frank"))  // refused: initiator
        add(try c.approveEntry(p, by: "grace"))
        add(try c.approveEntry(p, by: "grace"))  // refused: duplicate
        add(try c.proposeEntry(q))
        add(try c.proposeEntry(r))
        add(try c.approveEntry(p, by: "erin"))
        add(try GovernanceEntry.approve(operationId: "c", user: "frank", assertion: c.assert("frank", p.challenge(.approve, genesisDigest: c.state.genesisDigest))).entry())
        add(try c.approveEntry(r, by: "grace"))  // r has expired by now
        return entries
    }

    @Test func twoCopiesApplyingTheSameEntriesAgree() throws {
        var c = try Cluster()
        let entries = try Self.script(&c)
        // The second node builds its state from the encoded genesis document.
        var a = c.state
        var b = try ReplicatedState(genesis: GenesisDocument(encoded: c.genesis.encoded))
        #expect(a.digest == b.digest)
        var outcomes: [GovernanceOutcome] = []
        for (entry, time) in entries {
            let (next, outcome) = a.applying(entry, blockTime: time)
            a = next
            outcomes.append(outcome)
            #expect(b.apply(entry, blockTime: time) == outcome)
            #expect(a.digest == b.digest)
        }
        #expect(outcomes.filter { if case .refused = $0 { true } else { false } }.count == 4)
        #expect(a.users["ivan"] != nil)
        #expect(a.frozen)
        #expect(a.operations["c"]?.status == .expired)
        #expect(a.refusals.map(\.error.code) == [.initiatorCannotApprove, .duplicateApproval, .assertionRefused, .expired])
        // A copy that missed one entry differs.
        var d = try ReplicatedState(genesis: c.genesis)
        for (entry, time) in entries.dropLast(3) { d.apply(entry, blockTime: time) }
        #expect(d.digest != a.digest)
    }

    @Test func genesisRoundTripsAndDigestsStably() throws {
        let c = try Cluster()
        let decoded = try GenesisDocument(encoded: c.genesis.encoded)
        #expect(decoded == c.genesis)
        #expect(decoded.digest == c.genesis.digest)
        #expect(c.state.genesisDigest == c.genesis.digest)
        #expect(throws: GovernanceError(.malformed, "")) { try GenesisDocument(encoded: c.genesis.encoded + [0]) }
        #expect(throws: GovernanceError(.malformed, "")) { try GenesisDocument(encoded: Array(c.genesis.encoded.dropLast())) }
    }

    /// Genesis review M1: two clusters made from the same people, policy and roots (a redo, a
    /// disaster-recovery rehearsal) differ by their nonce, so a signature bound to one genesis
    /// digest counts for no other. The nonce round-trips, and a document whose nonce was cut
    /// or lengthened does not decode; a production genesis without one is refused.
    @Test func aGenesisNonceMakesEveryClusterDigestUnique() throws {
        let c = try Cluster()
        let first = c.genesis.withNonce(SecureRandom.bytes(count: GenesisDocument.nonceLength))
        let second = c.genesis.withNonce(SecureRandom.bytes(count: GenesisDocument.nonceLength))
        #expect(Set([c.genesis.digest, first.digest, second.digest]).count == 3)
        let decoded = try GenesisDocument(encoded: first.encoded)
        #expect(decoded == first && decoded.nonce == first.nonce)
        #expect(try ReplicatedState(genesis: second).genesisDigest == second.digest)
        // The same approval, signed for the first cluster, is refused by the second.
        var one = try Cluster(genesis: first, authenticators: c.authenticators)
        var two = try Cluster(genesis: second, authenticators: c.authenticators)
        let p = GovernanceProposal(id: "op-ivan", proposer: "frank", change: .addUser(id: "ivan", roles: ["trader"]))
        let entry = try one.proposeEntry(p)
        #expect(Cluster.code(two.apply(entry)) == .assertionRefused)
        #expect(Cluster.code(one.apply(entry)) == nil)
        #expect(one.state.operations[p.id] != nil)
        #expect(two.state.operations[p.id] == nil)
        // A nonce of 31 or 33 bytes in the encoding is refused when decoding.
        var short = first.encoded
        short.removeLast()
        #expect(throws: GovernanceError(.malformed, "")) { try GenesisDocument(encoded: short) }
        #expect(throws: GovernanceError(.malformed, "")) { try GenesisDocument(encoded: c.genesis.withNonce(Array(repeating: 1, count: 33)).encoded) }
    }

    /// A production genesis names its attestation roots, and refuses software credentials by
    /// that check: their attestation "none" proves no hardware (AttestationTests,
    /// CredentialOwnershipTests for attested keys).
    @Test func aProductionGenesisRefusesSoftwareCredentials() async throws {
        let root = try await AttestationPeer.make(rpId: Cluster.rpId, origin: Cluster.origin, []).trustedRoot
        #expect {
            try Cluster(mode: .production, attestationRoots: [root])
        } throws: { error in
            (error as? GovernanceError)?.code == .registrationRefused
                && (error as? GovernanceError)?.webAuthn == .softwareCredentialRefused
        }
        // Without roots there is nothing to register against.
        #expect(throws: GovernanceError(.invalidGenesis, "")) { try Cluster(mode: .production) }
        #expect(throws: GovernanceError(.invalidGenesis, "")) { try Cluster(mode: .development, attestationRoots: [[0x30, 0x00]]) }
    }

    @Test func genesisChecks() throws {
        let c = try Cluster()
        let g = c.genesis
        func make(
            name: String? = nil, origins: [String]? = nil, mode: RelyingParty.Mode? = nil,
            admins: [GenesisDocument.Admin]? = nil, policy: String? = nil
        ) -> GenesisDocument {
            GenesisDocument(
                clusterName: name ?? g.clusterName, relyingPartyId: g.relyingPartyId, allowedOrigins: origins ?? g.allowedOrigins,
                mode: mode ?? g.mode, admins: admins ?? g.admins, policyYAML: policy ?? g.policyYAML)
        }
        func code(_ doc: GenesisDocument) -> GovernanceError.Code? {
            do { _ = try ReplicatedState(genesis: doc); return nil } catch { return error.code }
        }
        #expect(code(make()) == nil)
        #expect(code(make(name: "")) == .invalidGenesis)
        #expect(code(make(origins: [])) == .invalidGenesis)
        #expect(code(make(admins: [])) == .invalidGenesis)
        #expect(code(make(admins: g.admins + [g.admins[0]])) == .invalidGenesis)
        #expect(code(make(mode: .production, admins: g.admins, policy: nil).withOrigins(["http://custos.test"])) == .invalidGenesis)
        // A nonce has 32 bytes.
        #expect(code(make().withNonce(Array(repeating: 1, count: 31))) == .invalidGenesis)
        // Registrations are bound to the cluster's name.
        #expect(code(make(name: "other")) == .registrationRefused)
        // The same credential registered for two admins.
        let twin = GenesisDocument.Admin(id: "zed", roles: ["admin"], registration: g.admins[1].registration)
        #expect(code(make(admins: g.admins + [twin])) == .registrationRefused)
        // A policy without governance, or one that does not compile with these people.
        let noGovernance = Cluster.policy().replacing(/governance:\n(  .*\n)+/, with: "")
        #expect(code(make(policy: noGovernance)) == .invalidPolicy)
        #expect(code(make(policy: "not: [valid")) == .invalidPolicy)
        // Two admins cannot form a quorum of two besides the proposer (the policy checker says so)…
        #expect(code(make(admins: Array(g.admins.prefix(2)))) == .invalidPolicy)
        // …nor can they with more admins who have no credential (the governance check says so;
        // two of them, so that on paper no one admin could block an unfreeze alone either).
        let paperAdmin = Cluster.policy(extraPrincipals: "  zed: {kind: person, roles: [admin]}\n  yan: {kind: person, roles: [admin]}")
        #expect(code(make(admins: Array(g.admins.prefix(2)), policy: paperAdmin)) == .lockout)
    }
}

extension GenesisDocument {
    func withOrigins(_ origins: [String]) -> GenesisDocument {
        GenesisDocument(
            clusterName: clusterName, relyingPartyId: relyingPartyId, allowedOrigins: origins, mode: mode,
            requireUserVerification: requireUserVerification, admins: admins, policyYAML: policyYAML, attestationRoots: attestationRoots, nonce: nonce)
    }

    func withNonce(_ nonce: [UInt8]) -> GenesisDocument {
        GenesisDocument(
            clusterName: clusterName, relyingPartyId: relyingPartyId, allowedOrigins: allowedOrigins, mode: mode,
            requireUserVerification: requireUserVerification, admins: admins, policyYAML: policyYAML, attestationRoots: attestationRoots, nonce: nonce)
    }
}
