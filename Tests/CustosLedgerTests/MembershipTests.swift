import Crypto
import CustosCore
import CustosLedger
import Testing

/// Membership changes at a committed height: the same cluster (genesis digest) with other voting
/// members; certificates are checked against the members in force at their height.
@Suite struct MembershipTests {
    let cluster = TestCluster(n: 5)
    /// The first four of the five identities: the cluster before node-4 joins.
    var four: ClusterConfiguration { get throws { try cluster.configuration.reconfigured(members: cluster.configuration.members.filter { $0.id != "node-4" }) } }

    @Test("A reconfiguration keeps the genesis digest, changes n, f and q, and is checked like a configuration")
    func reconfigured() throws {
        let c = try four
        #expect(c.genesisDigest == cluster.configuration.genesisDigest)
        #expect(c.n == 4 && c.quorum == 3)
        #expect(cluster.configuration.quorum == 4)
        #expect(c != cluster.configuration, "same cluster, other members")
        let members = cluster.configuration.members
        // Three members tolerate no fault; a member twice; a second id with the first one's key.
        let tooFew = #expect(throws: LedgerError(.invalidConfiguration, "")) {
            try cluster.configuration.reconfigured(members: Array(members.prefix(3)))
        }
        #expect(tooFew?.culprit == nil && tooFew?.reason.contains("f = 0") == true)
        let twice = #expect(throws: LedgerError(.invalidConfiguration, "")) {
            try cluster.configuration.reconfigured(members: members + [members[0]])
        }
        #expect(twice?.culprit == members[0].id)
        let sameKey = try Member(id: "node-9", publicKeyBytes: members[0].publicKeyBytes,
                                 transportKeyBytes: Array(Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation))
        let reused = #expect(throws: LedgerError(.invalidConfiguration, "")) {
            try cluster.configuration.reconfigured(members: members + [sameKey])
        }
        #expect(reused?.culprit == "node-9" && reused?.reason.contains("identity key") == true)
    }

    @Test("After a node adopts new members, certificates need the new quorum and only members' votes count")
    func certificatesFollowTheMembers() throws {
        let before = try four
        var node = try NodeConsensus(configuration: before, identity: cluster.identities[0], safetyState: .genesis(before))
        let chain = cluster.chain(2)
        // Height 1 under four members: three votes (0, 1, 2) certify.
        let first = cluster.certified(chain[0].block, by: 0..<3)
        #expect(node.commit(first) == .apply(first.block))
        // node-4 joins from height 2 on: q = 4 of 5.
        try node.reconfigure(cluster.configuration)
        let three = cluster.certified(chain[1].block, by: 0..<3)
        guard case .refuse(.invalidCertificate(let error)) = node.commit(three) else {
            Issue.record("three of five votes certified a block")
            return
        }
        #expect(error.code == .insufficientVotes)
        let withNewcomer = cluster.certified(chain[1].block, by: [0, 1, 2, 4])
        #expect(node.commit(withNewcomer) == .apply(withNewcomer.block))
    }

    @Test("A vote of a member removed before its height does not count")
    func removedMembersVotesDoNotCount() throws {
        var node = cluster.node(0)
        let chain = cluster.chain(1)
        try node.reconfigure(try four)
        let withRemoved = cluster.certified(chain[0].block, by: [0, 1, 4])
        guard case .refuse(.invalidCertificate(let error)) = node.commit(withRemoved) else {
            Issue.record("a removed member's vote counted")
            return
        }
        #expect(error.code == .unknownMember)
    }

    @Test("Another cluster's configuration is refused; a node outside the members follows without voting until added")
    func observerAndForeignConfiguration() throws {
        var node = cluster.node(0)
        #expect(throws: LedgerError(.invalidConfiguration, "")) { try node.reconfigure(TestCluster(n: 5, name: "other").configuration) }
        let before = try four
        let outsider = #expect(throws: LedgerError(.unknownMember, "")) {
            _ = try NodeConsensus(configuration: before, identity: cluster.identities[4], safetyState: .genesis(before))
        }
        #expect(outsider?.culprit == "node-4")
        var newcomer = try NodeConsensus(configuration: before, identity: cluster.identities[4], safetyState: .genesis(before), observer: true)
        #expect(!newcomer.isVoter)
        let block = cluster.nextBlock(after: cluster.genesis)
        #expect(newcomer.receiveProposal(block, now: block.timestamp, validator: AcceptAllEntries()) == .refuse(.notAMember(height: 1)))
        try newcomer.reconfigure(cluster.configuration)
        #expect(newcomer.isVoter)
        #expect(newcomer.receiveProposal(block, now: block.timestamp, validator: AcceptAllEntries()).vote != nil)
    }

    @Test("The sequencer certifies with the members in force and drops collected votes of removed members")
    func sequencerReconfigures() throws {
        // Completed to try what its name claims: would have caught a sequencer that keeps a
        // removed member's collected vote and certifies with it under the new members.
        var sequencer = try Sequencer(configuration: cluster.configuration, state: .genesis(cluster.configuration))
        guard case .persistProposalThenSend(let block) = try sequencer.propose(entries: [], now: TestCluster.genesisTime + 1_000) else {
            Issue.record("no proposal")
            return
        }
        // Under five members (q = 4), node-4 and node-0 vote.
        #expect(sequencer.receive(cluster.vote(4, for: block)) == .recorded(count: 1, quorum: 4))
        #expect(sequencer.receive(cluster.vote(0, for: block)) == .recorded(count: 2, quorum: 4))
        // node-4 leaves: q = 3 of four, and its collected vote is gone.
        try sequencer.reconfigure(try four)
        #expect(sequencer.configuration.quorum == 3)
        #expect(Set(sequencer.votes.keys) == ["node-0"])
        // Kept, node-4's vote and this one would make three and certify.
        #expect(sequencer.receive(cluster.vote(1, for: block)) == .recorded(count: 2, quorum: 3))
        guard case .flagged(let voter, let error) = sequencer.receive(cluster.vote(4, for: block)) else {
            Issue.record("a removed member's vote was taken again")
            return
        }
        #expect(voter == "node-4")
        #expect(error.code == .unknownMember)
        guard case .certified(let certified) = sequencer.receive(cluster.vote(2, for: block)) else {
            Issue.record("three members' votes did not certify under four members")
            return
        }
        #expect(Set(certified.certificate.votes.map(\.voter)) == ["node-0", "node-1", "node-2"])
        #expect(throws: Never.self) { try certified.certificate.verify(for: block, in: try four) }
        #expect(throws: LedgerError(.invalidConfiguration, "")) { try sequencer.reconfigure(TestCluster(n: 4, name: "other").configuration) }
    }

    @Test("Audit follows membership changes the governance layer reports, and fails without them")
    func auditFollowsMembership() throws {
        // A four-member genesis; a fifth node joins after height 1.
        let genesis = TestCluster(n: 4)
        let newcomer = NodeIdentity(id: "node-9", signingKey: Curve25519.Signing.PrivateKey(), transportKey: Curve25519.KeyAgreement.PrivateKey())
        let five = try genesis.configuration.reconfigured(members: genesis.configuration.members + [try newcomer.member()])
        #expect(five.serialized == genesis.configuration.serialized, "a reconfigured cluster still encodes its genesis")
        let chain = genesis.chain(2)
        var second = genesis.certificate(for: chain[1].block, by: 0..<4)
        second = QuorumCertificate(height: second.height, blockHash: second.blockHash, previousHash: second.previousHash,
                                   votes: second.votes.prefix(3) + [Vote(signing: chain[1].block, genesisDigest: genesis.configuration.genesisDigest, identity: newcomer)])
        let export = ChainExport(configuration: genesis.configuration, blocks: [
            genesis.certified(chain[0].block, by: 0..<3), CertifiedBlock(block: chain[1].block, certificate: second),
        ])
        let members = five.members
        let followed = ChainAudit.verify(export, membersAfter: { $0.height == 1 ? members : nil })
        guard case .valid = followed else {
            Issue.record("the audit did not follow the membership change: \(followed)")
            return
        }
        let fromBytes = ChainAudit.verify(serialized: export.serialized, membersAfter: { $0.height == 1 ? members : nil })
        guard case .valid = fromBytes else {
            Issue.record("the byte-level audit did not follow the membership change: \(fromBytes)")
            return
        }
        guard case .invalid(let failure) = ChainAudit.verify(export) else {
            Issue.record("a vote of a non-member passed the audit")
            return
        }
        #expect(failure.height == 2)
    }
}
