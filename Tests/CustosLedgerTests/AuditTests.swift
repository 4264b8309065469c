import CustosCore
import CustosLedger
import Testing

@Suite("Offline audit of an exported chain")
struct AuditTests {
    let cluster = TestCluster(n: 4)

    func expectFailure(_ result: ChainAudit.Result, height: UInt64, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case let .invalid(failure) = result else {
            Issue.record("expected a failure at height \(height), got \(result)", sourceLocation: sourceLocation)
            return
        }
        #expect(failure.height == height, "\(failure)", sourceLocation: sourceLocation)
        #expect(failure.reason.contains(text), "\(failure)", sourceLocation: sourceLocation)
    }

    @Test("A valid chain verifies, from the object and from its bytes, with and without a pinned genesis")
    func valid() {
        let chain = cluster.chain(5)
        let export = ChainExport(configuration: cluster.configuration, blocks: chain)
        let expected = ChainAudit.Result.valid(genesisDigest: cluster.configuration.genesisDigest, head: ChainHead(chain[4].block))
        #expect(verifyChain(export) == expected)
        #expect(verifyChain(export, expectedGenesis: cluster.configuration.genesisDigest) == expected)
        #expect(ChainAudit.verify(serialized: export.serialized) == expected)
        #expect(verifyChain(ChainExport(configuration: cluster.configuration, blocks: []))
                == .valid(genesisDigest: cluster.configuration.genesisDigest, head: cluster.genesis))
    }

    @Test("Tampering is reported at the first failing height")
    func tampered() throws {
        let chain = cluster.chain(6)
        func export(_ blocks: [CertifiedBlock]) -> ChainExport { ChainExport(configuration: cluster.configuration, blocks: blocks) }

        // An entry altered in block 3 (the block hash changes, the certificate no longer matches).
        var altered = chain
        let b3 = chain[2].block
        let forged = try Block(height: 3, previousHash: b3.previousHash, timestamp: b3.timestamp, entries: [sampleEntry("pay mallory")])
        altered[2] = CertifiedBlock(block: forged, certificate: chain[2].certificate)
        expectFailure(verifyChain(export(altered)), height: 3, containing: "certificate")

        // A block removed.
        var gap = chain
        gap.remove(at: 3)
        expectFailure(verifyChain(export(gap)), height: 4, containing: "not the next block")

        // A re-certified fork block (the forger does not hold the keys: short certificate).
        var short = chain
        short[1] = cluster.certified(chain[1].block, by: 0..<2)
        expectFailure(verifyChain(export(short)), height: 2, containing: "insufficientVotes")

        // One signature changed.
        var badSig = chain
        var votes = chain[4].certificate.votes
        var sig = votes[0].signature
        sig[5] ^= 0x80
        votes[0] = Vote(voter: votes[0].voter, height: votes[0].height, blockHash: votes[0].blockHash, previousHash: votes[0].previousHash, signature: sig)
        let c = chain[4].certificate
        badSig[4] = CertifiedBlock(block: chain[4].block, certificate: QuorumCertificate(height: c.height, blockHash: c.blockHash, previousHash: c.previousHash, votes: votes))
        expectFailure(verifyChain(export(badSig)), height: 5, containing: "invalidSignature")

        // A whole valid chain of another cluster, presented against a pinned genesis.
        let other = TestCluster(n: 4, name: "other")
        expectFailure(verifyChain(ChainExport(configuration: other.configuration, blocks: other.chain(2)),
                                  expectedGenesis: cluster.configuration.genesisDigest), height: 0, containing: "genesis digest")

        // The other cluster's blocks under this configuration.
        expectFailure(verifyChain(export(other.chain(2))), height: 1, containing: "previous hash")
    }

    @Test("A damaged export file is reported at the height where it breaks")
    func damagedBytes() {
        let chain = cluster.chain(4)
        let bytes = ChainExport(configuration: cluster.configuration, blocks: chain).serialized
        // Cut inside the third block.
        let configLength = cluster.configuration.serialized.count
        let third = 2 + 4 + configLength + 4 + 2 * (4 + chain[0].block.serialized.count + 4 + chain[0].certificate.serialized.count) + 10
        expectFailure(ChainAudit.verify(serialized: Array(bytes.prefix(third))), height: 3, containing: "truncated")
        expectFailure(ChainAudit.verify(serialized: bytes + [0]), height: 5, containing: "trailing")
        expectFailure(ChainAudit.verify(serialized: Array(bytes.prefix(20))), height: 0, containing: "configuration")
    }
}
