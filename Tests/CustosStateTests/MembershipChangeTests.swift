import Crypto
import CustosCore
import CustosLedger
import CustosState
import Testing

/// Membership changes as governance operations: one signer node joins (with a proof that it holds
/// its key) or leaves per operation, the quorum decides, removed keys never return, and the
/// encoding round-trips.
@Suite struct MembershipChangeTests {
    static func identities(_ range: ClosedRange<Int>) -> [NodeIdentity] {
        range.map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: Curve25519.Signing.PrivateKey(), transportKey: Curve25519.KeyAgreement.PrivateKey()) }
    }

    let initial = Self.identities(1...4)

    func cluster() throws -> Cluster {
        var c = try Cluster()
        c.state = try ReplicatedState(genesis: c.genesis, members: initial.map { try $0.member() })
        return c
    }

    static func join(_ identity: NodeIdentity, in state: ReplicatedState) throws -> GovernanceChange {
        let member = try identity.member()
        let message = ReplicatedState.membershipProofMessage(clusterName: state.clusterName, genesisDigest: state.genesisDigest, member: member)
        return .addMember(member, proof: identity.signDigest(message))
    }

    @Test func oneAdminAloneCannotAddAMemberAndTheQuorumCan() throws {
        var c = try cluster()
        let newcomer = Self.identities(5...5)[0]
        let (p, _) = try c.propose(try Self.join(newcomer, in: c.state), by: "erin")
        #expect(c.status(p) == .proposed)
        try c.approve(p, by: "frank")
        #expect(c.status(p) == .proposed, "the policy asks two admins besides the proposer")
        #expect(c.state.members.count == 4)
        try c.approve(p, by: "grace")
        #expect(c.status(p) == .executed)
        #expect(c.state.members.map(\.id) == ["node-1", "node-2", "node-3", "node-4", "node-5"])
    }

    @Test func joinsWithoutAValidProofOrWithAnUsedKeyAreRefused() throws {
        var c = try cluster()
        let newcomer = Self.identities(5...5)[0]
        let member = try newcomer.member()
        let otherCluster = ReplicatedState.membershipProofMessage(clusterName: "elsewhere", genesisDigest: c.state.genesisDigest, member: member)
        let stolenKey = try Member(id: "node-9", publicKeyBytes: initial[0].publicKeyBytes,
                                   transportKeyBytes: Array(Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation))
        // The gateway (or anyone relaying the join request) swaps the transport key for its own:
        // the proof covers the transport key, so it no longer verifies.
        let ownProof = newcomer.signDigest(ReplicatedState.membershipProofMessage(
            clusterName: c.state.clusterName, genesisDigest: c.state.genesisDigest, member: member))
        let swapped = try Member(id: member.id, publicKey: member.publicKey, transportKey: Curve25519.KeyAgreement.PrivateKey().publicKey)
        // A valid proof, but over another member's transport key.
        let copycat = try Member(id: member.id, publicKey: member.publicKey, transportKey: initial[0].transportPublicKey)
        let copycatProof = newcomer.signDigest(ReplicatedState.membershipProofMessage(
            clusterName: c.state.clusterName, genesisDigest: c.state.genesisDigest, member: copycat))
        let cases: [(GovernanceChange, String)] = [
            (.addMember(member, proof: [UInt8](repeating: 0, count: 64)), "does not verify"),
            (.addMember(member, proof: newcomer.signDigest(otherCluster)), "does not verify"),
            (.addMember(stolenKey, proof: newcomer.signDigest(otherCluster)), "holds the identity key"),
            (.addMember(swapped, proof: ownProof), "does not verify"),
            (.addMember(copycat, proof: copycatProof), "holds the transport key"),
            (try Self.join(initial[0], in: c.state), "already a member"),
            (.removeMember(id: "node-7"), "not a member"),
        ]
        for (change, what) in cases {
            let (p, _) = try c.propose(change, by: "erin")
            guard case .refused(let error)? = c.state.refusals.last.map({ GovernanceOutcome.refused($0.error) }),
                  c.state.refusals.last?.operationId == p.id else {
                Issue.record("\(what): not refused")
                continue
            }
            #expect(error.code == .invalidChange)
            #expect(error.reason.contains(what), "\(error.reason)")
        }
    }

    /// Completed to try what its comment claimed: would have caught a retired identity key that
    /// returns under a new id (with a valid proof of possession for that id).
    @Test func aRemovedKeyNeverReturnsEvenUnderAnotherIdAndFourMembersRemainAtLeast() throws {
        var c = try cluster()
        let key = Curve25519.Signing.PrivateKey()
        let newcomer = NodeIdentity(id: "node-5", signingKey: key, transportKey: Curve25519.KeyAgreement.PrivateKey())
        let (add, _) = try c.propose(try Self.join(newcomer, in: c.state), by: "erin")
        try c.approve(add, by: "frank")
        try c.approve(add, by: "grace")
        let (remove, _) = try c.propose(.removeMember(id: "node-5"), by: "erin")
        try c.approve(remove, by: "frank")
        try c.approve(remove, by: "grace")
        #expect(c.status(remove) == .executed)
        #expect(c.state.members.count == 4)
        // The same key again (even under another id) is refused; so is going below four members.
        let again = try c.propose(try Self.join(newcomer, in: c.state), by: "erin").1
        #expect(Cluster.code(again) == .invalidChange)
        if case .refused(let sameId) = again {
            #expect(sameId.reason.contains("belonged to a removed member"), "\(sameId.reason)")
        }
        let renamed = NodeIdentity(id: "node-6", signingKey: key, transportKey: Curve25519.KeyAgreement.PrivateKey())
        let (underAnotherId, anotherIdOutcome) = try c.propose(try Self.join(renamed, in: c.state), by: "erin")
        guard case .refused(let anotherId) = anotherIdOutcome else {
            Issue.record("the removed key returned as node-6: \(anotherIdOutcome)")
            return
        }
        #expect(anotherId.code == .invalidChange)
        #expect(anotherId.reason.contains("node-6") && anotherId.reason.contains("belonged to a removed member"), "\(anotherId.reason)")
        #expect(c.state.operations[underAnotherId.id] == nil)
        #expect(!c.state.members.contains { $0.id == "node-6" })
        let (shrink, outcome) = try c.propose(.removeMember(id: "node-1"), by: "erin")
        #expect(Cluster.code(outcome) == .invalidChange, "\(shrink.id): a three-member cluster tolerates no fault")
        var untracked = try Cluster()
        #expect(Cluster.code(try untracked.propose(.removeMember(id: "node-1"), by: "erin").1) == .invalidChange)
    }

    @Test func theChangesRoundTripAndEnterTheDigest() throws {
        let c = try cluster()
        for change in [try Self.join(Self.identities(5...5)[0], in: c.state), .removeMember(id: "node-2")] {
            let p = GovernanceProposal(id: "m", proposer: "erin", change: change)
            #expect(try GovernanceProposal(encoded: p.encoded) == p)
            for cut in 1..<8 {
                let error = #expect(throws: GovernanceError(.malformed, "")) { try GovernanceProposal(encoded: Array(p.encoded.dropLast(cut))) }
                #expect(error?.reason.contains("truncated at ") == true, "\(error.map(\.reason) ?? "")")
            }
        }
        let other = try ReplicatedState(genesis: c.genesis, members: Self.identities(1...4).map { try $0.member() })
        #expect(c.state.digest != other.digest, "the members are part of the governed state's digest")
    }
}
