import Crypto
import CustosCore
import CustosLedger
import Testing

@Suite("Votes and quorum certificates")
struct VoteAndCertificateTests {
    let cluster = TestCluster(n: 4)
    var block: Block { cluster.nextBlock(after: cluster.genesis) }

    @Test("A member's vote verifies; q votes form a certificate")
    func valid() throws {
        let votes = (0..<cluster.quorum).map { cluster.vote($0, for: block) }
        for v in votes { try v.verify(in: cluster.configuration) }
        let qc = try QuorumCertificate(votes: votes, configuration: cluster.configuration)
        try qc.verify(for: block, in: cluster.configuration)
        #expect(qc.voters == votes.map(\.voter).sorted())
        // All n votes also make a valid certificate.
        _ = try QuorumCertificate(votes: (0..<4).map { cluster.vote($0, for: block) }, configuration: cluster.configuration)
    }

    /// One row per way a certificate can be wrong, with the error code it must produce.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let code: LedgerError.Code
        let make: @Sendable (TestCluster, Block) -> QuorumCertificate
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "short by one", code: .insufficientVotes) { c, b in c.certificate(for: b, by: 0..<(c.quorum - 1)) },
        Case(name: "empty", code: .insufficientVotes) { c, b in c.certificate(for: b, by: []) },
        Case(name: "duplicate voter", code: .duplicateVoter) { c, b in
            let votes = [c.vote(0, for: b), c.vote(0, for: b), c.vote(1, for: b)]
            return QuorumCertificate(height: b.height, blockHash: b.hash, previousHash: b.previousHash, votes: votes)
        },
        Case(name: "forged signature", code: .invalidSignature) { c, b in
            var votes = (0..<c.quorum).map { c.vote($0, for: b) }
            var sig = votes[1].signature
            sig[10] ^= 0x01
            votes[1] = Vote(voter: votes[1].voter, height: b.height, blockHash: b.hash, previousHash: b.previousHash, signature: sig)
            return QuorumCertificate(height: b.height, blockHash: b.hash, previousHash: b.previousHash, votes: votes)
        },
        Case(name: "signature by another member's key", code: .invalidSignature) { c, b in
            var votes = (0..<c.quorum).map { c.vote($0, for: b) }
            let stolen = c.vote(3, for: b).signature
            votes[0] = Vote(voter: votes[0].voter, height: b.height, blockHash: b.hash, previousHash: b.previousHash, signature: stolen)
            return QuorumCertificate(height: b.height, blockHash: b.hash, previousHash: b.previousHash, votes: votes)
        },
        Case(name: "non-member vote", code: .unknownMember) { c, b in
            let outsider = NodeIdentity(id: "outsider", signingKey: Curve25519.Signing.PrivateKey(), transportKey: Curve25519.KeyAgreement.PrivateKey())
            let votes = (0..<(c.quorum - 1)).map { c.vote($0, for: b) }
                + [Vote(signing: b, genesisDigest: c.configuration.genesisDigest, identity: outsider)]
            return QuorumCertificate(height: b.height, blockHash: b.hash, previousHash: b.previousHash, votes: votes)
        },
        Case(name: "votes of another cluster (wrong genesis digest)", code: .invalidSignature) { c, b in
            let wrongGenesis = TestCluster(n: 4, name: "other").configuration.genesisDigest
            let votes = (0..<c.quorum).map { Vote(signing: b, genesisDigest: wrongGenesis, identity: c.identities[$0]) }
            return QuorumCertificate(height: b.height, blockHash: b.hash, previousHash: b.previousHash, votes: votes)
        },
        Case(name: "mixed block hashes", code: .mismatchedVote) { c, b in
            let other = try! Block(height: b.height, previousHash: b.previousHash, timestamp: b.timestamp + 1, entries: b.entries)
            let votes = [c.vote(0, for: b), c.vote(1, for: b), c.vote(2, for: other)]
            return QuorumCertificate(height: b.height, blockHash: b.hash, previousHash: b.previousHash, votes: votes)
        },
        Case(name: "replayed vote from another height", code: .mismatchedVote) { c, b in
            let next = c.nextBlock(after: ChainHead(b))
            var votes = (0..<(c.quorum - 1)).map { c.vote($0, for: b) }
            votes.append(c.vote(c.quorum - 1, for: next))
            return QuorumCertificate(height: b.height, blockHash: b.hash, previousHash: b.previousHash, votes: votes)
        },
        Case(name: "vote relabelled to another height", code: .invalidSignature) { c, b in
            let next = c.nextBlock(after: ChainHead(b))
            var votes = (0..<c.quorum).map { c.vote($0, for: next) }
            // Claim the height-2 signature is for block 1: the signed message differs.
            votes = votes.map { Vote(voter: $0.voter, height: b.height, blockHash: b.hash, previousHash: b.previousHash, signature: $0.signature) }
            return QuorumCertificate(height: b.height, blockHash: b.hash, previousHash: b.previousHash, votes: votes)
        },
        Case(name: "truncated signature", code: .invalidSignature) { c, b in
            var votes = (0..<c.quorum).map { c.vote($0, for: b) }
            votes[2] = Vote(voter: votes[2].voter, height: b.height, blockHash: b.hash, previousHash: b.previousHash, signature: Array(votes[2].signature.prefix(63)))
            return QuorumCertificate(height: b.height, blockHash: b.hash, previousHash: b.previousHash, votes: votes)
        },
    ]

    @Test("Bad certificates are refused with the right code", arguments: cases)
    func refused(_ c: Case) {
        let qc = c.make(cluster, block)
        let error = ledgerError { try qc.verify(for: block, in: cluster.configuration) }
        #expect(error?.code == c.code, "\(c.name): \(String(describing: error))")
    }

    @Test("A valid certificate for another block is refused for this block")
    func wrongBlock() {
        let other = cluster.nextBlock(after: cluster.genesis, entries: [sampleEntry("other")])
        let qc = cluster.certificate(for: other, by: 0..<cluster.quorum)
        #expect(ledgerError { try qc.verify(in: cluster.configuration) } == nil)
        #expect(ledgerError { try qc.verify(for: block, in: cluster.configuration) }?.code == .mismatchedVote)
    }

    @Test("A certificate valid in one cluster is refused in another with the same keys")
    func crossCluster() {
        let other = TestCluster(n: 4, genesisDocument: Array("a different genesis".utf8))
        let qc = cluster.certificate(for: block, by: 0..<cluster.quorum)
        #expect(ledgerError { try qc.verify(in: other.configuration) }?.code == .invalidSignature)
    }

    @Test("Errors blame the voter")
    func blame() {
        let b = block
        var votes = (0..<cluster.quorum).map { cluster.vote($0, for: b) }
        votes[1] = Vote(voter: votes[1].voter, height: b.height, blockHash: b.hash, previousHash: b.previousHash, signature: [UInt8](repeating: 0, count: 64))
        let qc = QuorumCertificate(height: b.height, blockHash: b.hash, previousHash: b.previousHash, votes: votes)
        #expect(ledgerError { try qc.verify(in: cluster.configuration) }?.culprit == votes[1].voter)
    }
}
