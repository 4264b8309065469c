import CustosCore
import CustosCrypto
import CustosState
import Testing

/// A freeze made on one node's host (`custos node freeze`), as an attacker would try to misuse
/// it: by someone the policy does not let freeze alone, for another node, for another cluster,
/// with a tampered assertion. The node's committed state accepts only a security officer's
/// assertion bound to its cluster's genesis and its own id.
@Suite struct LocalFreezeTests {
    /// When the tests' freezes are made and first taken.
    static let now: UInt64 = 1_800_000_000_000

    static func freeze(_ c: inout Cluster, by user: String, for node: String = "node-1", genesis: [UInt8]? = nil,
                       signedFor signedNode: String? = nil, issuedAt: UInt64 = now, nonce: [UInt8] = SecureRandom.bytes(count: 16)) -> LocalFreeze {
        let challenge = LocalFreeze.challenge(genesisDigest: genesis ?? c.state.genesisDigest, node: signedNode ?? node, issuedAt: issuedAt,
                                              nonce: nonce)
        return LocalFreeze(user: user, node: node, issuedAt: issuedAt, nonce: nonce, assertion: c.assert(user, challenge))
    }

    static func code(_ body: () throws(GovernanceError) -> Void) -> GovernanceError.Code? {
        do throws(GovernanceError) { try body() } catch { return error.code }
        return nil
    }

    @Test func aSecurityOfficerFreezesTheirNodeAndNobodyElseDoes() throws {
        var c = try Cluster()
        let officer = Self.freeze(&c, by: "heidi")
        try c.state.verify(officer, node: "node-1", now: Self.now)
        // The same freeze presented to another node.
        #expect(Self.code { () throws(GovernanceError) in try c.state.verify(officer, node: "node-2", now: Self.now) } == .notPermitted)
        // An admin whom the policy does not let freeze alone.
        let admin = Self.freeze(&c, by: "frank")
        #expect(Self.code { () throws(GovernanceError) in try c.state.verify(admin, node: "node-1", now: Self.now) } == .notPermitted)
        // Relabelled: signed for node-2, claimed for node-1.
        let relabelled = Self.freeze(&c, by: "heidi", signedFor: "node-2")
        #expect(Self.code { () throws(GovernanceError) in try c.state.verify(relabelled, node: "node-1", now: Self.now) } == .assertionRefused)
        // Signed for another cluster (staging), presented to this one.
        let staging = Self.freeze(&c, by: "heidi", genesis: [UInt8](repeating: 7, count: 32))
        #expect(Self.code { () throws(GovernanceError) in try c.state.verify(staging, node: "node-1", now: Self.now) } == .assertionRefused)
        // Someone the cluster does not know.
        let stranger = LocalFreeze(user: "mallory", node: "node-1", issuedAt: officer.issuedAt, nonce: officer.nonce, assertion: officer.assertion)
        #expect(Self.code { () throws(GovernanceError) in try c.state.verify(stranger, node: "node-1", now: Self.now) } == .unknownUser)
        // Another officer's assertion under heidi's name.
        let borrowed = LocalFreeze(user: "erin", node: "node-1", issuedAt: officer.issuedAt, nonce: officer.nonce, assertion: officer.assertion)
        #expect(Self.code { () throws(GovernanceError) in try c.state.verify(borrowed, node: "node-1", now: Self.now) } == .unknownCredential)
    }

    /// The node checks its freeze again at every start: the officer's later assertions in the
    /// log (freezing the log too, as the quorum's unfreeze needs) move the credential's counter
    /// past the freeze's, and must not make the freeze fail (and so lift it) on restart.
    @Test func aFreezeStillVerifiesAfterItsOfficerUsedTheCredentialInTheLog() throws {
        var c = try Cluster()
        let officer = Self.freeze(&c, by: "heidi")
        try c.state.verify(officer, node: "node-1", now: Self.now)
        try c.propose(.freeze, by: "heidi")
        #expect(c.state.frozen)
        try c.state.verify(officer, node: "node-1", now: Self.now)
    }

    /// Freshness (review finding L2): a freeze counts only within five minutes of being made —
    /// an old one found later (a copy of an earlier freeze's record) is refused — not from the
    /// future, and only with its nonce as signed; the node keeps every freeze it took by its
    /// digest, so one freeze is taken once (SigningHaltTests).
    @Test func anOldOrAlteredFreezeIsRefused() throws {
        var c = try Cluster()
        let fresh = Self.freeze(&c, by: "heidi")
        try c.state.verify(fresh, node: "node-1", now: Self.now + LocalFreeze.maximumAge)
        #expect(Self.code { () throws(GovernanceError) in
            try c.state.verify(fresh, node: "node-1", now: Self.now + LocalFreeze.maximumAge + 1)
        } == .expired)
        #expect(Self.code { () throws(GovernanceError) in
            try c.state.verify(fresh, node: "node-1", now: Self.now - LocalFreeze.maximumClockSkew - 1)
        } == .expired)
        // Another nonce than the one signed, or none.
        let renonced = LocalFreeze(user: "heidi", node: "node-1", issuedAt: fresh.issuedAt, nonce: SecureRandom.bytes(count: 16),
                                   assertion: fresh.assertion)
        #expect(Self.code { () throws(GovernanceError) in try c.state.verify(renonced, node: "node-1", now: Self.now) } == .assertionRefused)
        let bare = Self.freeze(&c, by: "heidi", nonce: [])
        #expect(Self.code { () throws(GovernanceError) in try c.state.verify(bare, node: "node-1", now: Self.now) } == .malformed)
        // Two freezes made in the same millisecond are still two freezes.
        #expect(fresh.digest(genesisDigest: c.state.genesisDigest) != Self.freeze(&c, by: "heidi").digest(genesisDigest: c.state.genesisDigest))
    }
}
