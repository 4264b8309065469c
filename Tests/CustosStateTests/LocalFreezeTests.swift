import CustosCore
import CustosState
import Testing

/// A freeze made on one node's host (`custos node freeze`), as an attacker would try to misuse
/// it: by someone the policy does not let freeze alone, for another node, for another cluster,
/// with a tampered assertion. The node's committed state accepts only a security officer's
/// assertion bound to its cluster's genesis and its own id.
@Suite struct LocalFreezeTests {
    static func freeze(_ c: inout Cluster, by user: String, for node: String = "node-1", genesis: [UInt8]? = nil,
                       signedFor signedNode: String? = nil) -> LocalFreeze {
        let issuedAt: UInt64 = 1_800_000_000_000
        let challenge = LocalFreeze.challenge(genesisDigest: genesis ?? c.state.genesisDigest, node: signedNode ?? node, issuedAt: issuedAt)
        return LocalFreeze(user: user, node: node, issuedAt: issuedAt, assertion: c.assert(user, challenge))
    }

    static func code(_ body: () throws(GovernanceError) -> Void) -> GovernanceError.Code? {
        do throws(GovernanceError) { try body() } catch { return error.code }
        return nil
    }

    @Test func aSecurityOfficerFreezesTheirNodeAndNobodyElseDoes() throws {
        var c = try Cluster()
        let officer = Self.freeze(&c, by: "heidi")
        try c.state.verify(officer, node: "node-1")
        // The same freeze presented to another node.
        #expect(Self.code { () throws(GovernanceError) in try c.state.verify(officer, node: "node-2") } == .notPermitted)
        // An admin whom the policy does not let freeze alone.
        let admin = Self.freeze(&c, by: "frank")
        #expect(Self.code { () throws(GovernanceError) in try c.state.verify(admin, node: "node-1") } == .notPermitted)
        // Relabelled: signed for node-2, claimed for node-1.
        let relabelled = Self.freeze(&c, by: "heidi", signedFor: "node-2")
        #expect(Self.code { () throws(GovernanceError) in try c.state.verify(relabelled, node: "node-1") } == .assertionRefused)
        // Signed for another cluster (staging), presented to this one.
        let staging = Self.freeze(&c, by: "heidi", genesis: [UInt8](repeating: 7, count: 32))
        #expect(Self.code { () throws(GovernanceError) in try c.state.verify(staging, node: "node-1") } == .assertionRefused)
        // Someone the cluster does not know.
        let stranger = LocalFreeze(user: "mallory", node: "node-1", issuedAt: officer.issuedAt, assertion: officer.assertion)
        #expect(Self.code { () throws(GovernanceError) in try c.state.verify(stranger, node: "node-1") } == .unknownUser)
        // Another officer's assertion under heidi's name.
        let borrowed = LocalFreeze(user: "erin", node: "node-1", issuedAt: officer.issuedAt, assertion: officer.assertion)
        #expect(Self.code { () throws(GovernanceError) in try c.state.verify(borrowed, node: "node-1") } == .unknownCredential)
    }

    /// The node checks its freeze again at every start: the officer's later assertions in the
    /// log (freezing the log too, as the quorum's unfreeze needs) move the credential's counter
    /// past the freeze's, and must not make the freeze fail (and so lift it) on restart.
    @Test func aFreezeStillVerifiesAfterItsOfficerUsedTheCredentialInTheLog() throws {
        var c = try Cluster()
        let officer = Self.freeze(&c, by: "heidi")
        try c.state.verify(officer, node: "node-1")
        try c.propose(.freeze, by: "heidi")
        #expect(c.state.frozen)
        try c.state.verify(officer, node: "node-1")
    }
}
