import Crypto
import CustosCore
import CustosLedger
import CustosState
import Testing

/// The governance validator plugged into a signer node's safety rules: the genesis document rides
/// in the cluster configuration, a node votes for a block whose governance entries apply to its
/// committed state and refuses one with a forged approval.
@Suite struct NodeConsensusTests {
    static func node(_ c: Cluster) throws -> (NodeConsensus, ClusterConfiguration) {
        let identities = try (1...4).map { i throws in NodeIdentity(id: try NodeID("node-\(i)"), signingKey: Curve25519.Signing.PrivateKey(), transportKey: Curve25519.KeyAgreement.PrivateKey()) }
        let configuration = try ClusterConfiguration(
            name: c.genesis.clusterName, members: identities.map { try $0.member() }, genesisTimestamp: c.now,
            genesisDocument: c.genesis.encoded)
        let node = try NodeConsensus(configuration: configuration, identity: identities[0], safetyState: .genesis(configuration))
        return (node, configuration)
    }

    @Test func aNodeVotesForValidGovernanceAndRefusesAForgedApproval() throws {
        var c = try Cluster()
        var (node, configuration) = try Self.node(c)
        let committed = try ReplicatedState(cluster: configuration)
        #expect(committed.digest == c.state.digest)

        let p = GovernanceProposal(id: "add-ivan", proposer: "frank", change: .addUser(id: "ivan", roles: []))
        let q = GovernanceProposal(id: "add-judy", proposer: "frank", change: .addUser(id: "judy", roles: []))
        let forged = try GovernanceEntry.approve(operationId: p.id, user: "erin", assertion: c.assert("erin", q.challenge(.approve, genesisDigest: c.state.genesisDigest))).entry()
        let time = c.now + 1_000
        let bad = try Block(
            height: 1, previousHash: configuration.genesisDigest, timestamp: time,
            entries: [try c.proposeEntry(p), try c.approveEntry(p, by: "grace"), forged])
        guard case .refuse(.entryRejected(let index, let kind, let reason)) =
            node.receiveProposal(bad, now: time, validator: StateEntryValidator(committed: committed))
        else { Issue.record("voted for a forged approval"); return }
        #expect(index == 2)
        #expect(kind == GovernanceEntry.approveKind)
        #expect(reason.contains("wrongChallenge") || reason.contains("challenge"))

        let good = try Block(
            height: 1, previousHash: configuration.genesisDigest, timestamp: time,
            entries: [bad.entries[0], bad.entries[1], try c.approveEntry(p, by: "erin")])
        guard case .persistVoteThenSend = node.receiveProposal(good, now: time, validator: StateEntryValidator(committed: committed))
        else { Issue.record("refused a valid block"); return }
        var next = committed
        next.apply(good)
        #expect(next.operations[p.id]?.status == .executed)
        #expect(next.users["ivan"] != nil)
    }

    @Test func aConfigurationForAnotherClusterIsRefused() throws {
        let c = try Cluster()
        let identities = try (1...4).map { i throws in NodeIdentity(id: try NodeID("node-\(i)"), signingKey: Curve25519.Signing.PrivateKey(), transportKey: Curve25519.KeyAgreement.PrivateKey()) }
        let configuration = try ClusterConfiguration(
            name: "elsewhere", members: identities.map { try $0.member() }, genesisTimestamp: 0, genesisDocument: c.genesis.encoded)
        #expect(throws: GovernanceError(.invalidGenesis, "")) { try ReplicatedState(cluster: configuration) }
    }
}
