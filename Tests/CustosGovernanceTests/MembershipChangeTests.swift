import Crypto
import CustosGovernance
import CustosLedger
import Testing

/// Membership changes as governance operations: the quorum decides, the new list is checked as a
/// cluster configuration is, and the encoding round-trips.
@Suite struct MembershipChangeTests {
    static func members(_ count: Int) -> [Member] {
        (1...count).map { try! Member(id: try! NodeID("node-\($0)"), publicKey: Curve25519.Signing.PrivateKey().publicKey) }
    }

    func cluster(members: [Member]) throws -> Cluster {
        var c = try Cluster()
        c.state = try GovernanceState(genesis: c.genesis, members: members)
        return c
    }

    @Test func oneAdminAloneCannotChangeMembershipAndTheQuorumCan() throws {
        let initial = Self.members(4)
        var c = try cluster(members: initial)
        let next = initial + Self.members(5).suffix(1)
        let (p, _) = try c.propose(.changeMembership(members: next), by: "erin")
        #expect(c.status(p) == .proposed)
        #expect(c.state.members == initial)
        try c.approve(p, by: "frank")
        #expect(c.status(p) == .proposed, "the policy asks two admins besides the proposer")
        #expect(c.state.members == initial)
        try c.approve(p, by: "grace")
        #expect(c.status(p) == .executed)
        #expect(c.state.members == next.sorted { $0.id < $1.id })
    }

    @Test func invalidMemberListsAreRefusedWithTheReason() throws {
        let initial = Self.members(4)
        var c = try cluster(members: initial)
        let duplicateKey = try Member(id: "node-9", publicKeyBytes: initial[0].publicKeyBytes)
        for (next, what) in [(Array(initial.prefix(3)), "tolerate no faulty node"), (initial, "already these"),
                             (initial + [duplicateKey], "identity key")] {
            let (_, outcome) = try c.propose(.changeMembership(members: next), by: "erin")
            guard case .refused(let error) = outcome else {
                Issue.record("\(what): accepted")
                continue
            }
            #expect(error.code == .invalidChange)
            #expect(error.reason.contains(what), "\(error.reason)")
        }
        var untracked = try Cluster()
        let (_, outcome) = try untracked.propose(.changeMembership(members: Self.members(5)), by: "erin")
        #expect(Cluster.code(outcome) == .invalidChange)
    }

    @Test func theChangeRoundTripsAndEntersTheDigest() throws {
        let initial = Self.members(4)
        let p = GovernanceProposal(id: "m", proposer: "erin", change: .changeMembership(members: Self.members(5)))
        #expect(try GovernanceProposal(encoded: p.encoded) == p)
        var truncated = p.encoded
        truncated.removeLast()
        #expect(throws: GovernanceError.self) { try GovernanceProposal(encoded: truncated) }
        let a = try cluster(members: initial).state.digest
        let b = try cluster(members: Self.members(4)).state.digest
        #expect(a != b, "the members are part of the governed state's digest")
    }
}
