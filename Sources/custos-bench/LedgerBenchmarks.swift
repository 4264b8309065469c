import Crypto
import CustosLedger

/// The replicated log's per-block work at n = 4 (q = 3) with batching (100 entries per block),
/// against one plain Ed25519 signature (swift-crypto, the library the votes use) measured
/// interleaved in the same run. Per-entry cost is the block cost divided by 100.
enum LedgerBenchmarks {
    static let entriesPerBlock = 100

    static func run() throws -> String {
        let identities = (0..<4).map { i in
            NodeIdentity(id: try! NodeID("node-\(i)"),
                         signingKey: try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: UInt8(i + 1), count: 32)),
                         transportKey: try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: [UInt8](repeating: UInt8(i + 101), count: 32)))
        }
        let configuration = try ClusterConfiguration(
            name: "bench", members: try identities.map { try $0.member() }, genesisTimestamp: 1_790_000_000_000)
        let genesis = ChainHead.genesis(configuration)
        // Entries shaped like signed transfer requests: ~200-byte payload, an Ed25519 signature and key.
        let entries = try (0..<entriesPerBlock).map { i in
            try Entry(kind: "transfer.request", payload: (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) },
                      authorization: [UInt8](repeating: UInt8(i & 0xff), count: 96))
        }
        let now = genesis.timestamp + 1000
        let block = try Block(height: 1, previousHash: genesis.hash, timestamp: now, entries: entries)
        let blockBytes = block.serialized
        let votes = identities.prefix(configuration.quorum).map { Vote(signing: block, genesisDigest: configuration.genesisDigest, identity: $0) }
        let certificate = QuorumCertificate(height: 1, blockHash: block.hash, previousHash: block.previousHash, votes: votes)
        let certificateBytes = certificate.serialized
        let voteBytes = votes[0].serialized
        let node = try NodeConsensus(configuration: configuration, identity: identities[0], safetyState: .genesis(configuration))
        let sequencer = try Sequencer(configuration: configuration, state: .genesis(configuration))

        let baselineKey = try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 9, count: 32))
        var message = [UInt8](repeating: 0xab, count: 32)
        let sign = {
            message[0] &+= 1
            blackHole(try baselineKey.signature(for: message))
        }
        let baseline = try measure("Ed25519 sign (swift-crypto)", iterations: 2000, warmup: 100, sign)
        var section = Section(
            "Replicated log, n = 4 (q = 3), \(entriesPerBlock) entries per block (\(blockBytes.count) bytes), vs one plain Ed25519 signature",
            baseline: baseline)
        let iterations = 1000

        section.add(try measureInterleaved("Ed25519 verify (swift-crypto)", iterations: iterations, baseline: sign) {
            precondition(configuration.members[0].publicKey.isValidSignature(votes[0].signature, for: Vote.message(
                genesisDigest: configuration.genesisDigest, height: 1, blockHash: block.hash, previousHash: block.previousHash)))
        })
        section.add(try measureInterleaved("gateway: build and hash a block", iterations: iterations, baseline: sign) {
            blackHole(try Block(height: 1, previousHash: genesis.hash, timestamp: now, entries: entries).hash)
        })
        section.add(try measureInterleaved("node: decode a block (strict) and rehash", iterations: iterations, baseline: sign) {
            blackHole(try Block(serialized: blockBytes).hash)
        })
        section.add(try measureInterleaved("node: safety rules + sign the vote (decoded block)", iterations: iterations, baseline: sign) {
            var n = node
            guard case .persistVoteThenSend = n.receiveProposal(block, now: now, validator: AcceptAllEntries()) else { fatalError() }
        }, note: "entry validation plugged out (accept-all)")
        section.add(try measureInterleaved("gateway: 3 votes decoded, verified, certificate formed", iterations: iterations, baseline: sign) {
            var s = sequencer
            _ = try s.propose(entries: entries, now: now)
            _ = try Vote(serialized: voteBytes)
            var last: VoteOutcome? = nil
            for v in votes { last = s.receive(v) }
            guard case .certified = last else { fatalError() }
        }, note: "includes proposing (block build)")
        section.add(try measureInterleaved("node: decode + verify certificate (3 signatures)", iterations: iterations, baseline: sign) {
            try QuorumCertificate(serialized: certificateBytes).verify(for: block, in: configuration)
        })
        section.add(try measureInterleaved("node: whole block (decode, vote, decode + verify QC, commit)", iterations: iterations, baseline: sign) {
            var n = node
            let decoded = try Block(serialized: blockBytes)
            guard case .persistVoteThenSend = n.receiveProposal(decoded, now: now, validator: AcceptAllEntries()) else { fatalError() }
            let qc = try QuorumCertificate(serialized: certificateBytes)
            guard case .apply = n.commit(decoded, certificate: qc) else { fatalError() }
        }, note: "per entry: divide by \(entriesPerBlock)")
        let export = ChainExport(configuration: configuration, blocks: [CertifiedBlock(block: block, certificate: certificate)])
        let exportBytes = export.serialized
        section.add(try measureInterleaved("audit: verify a one-block export from bytes", iterations: iterations, baseline: sign) {
            guard case .valid = ChainAudit.verify(serialized: exportBytes) else { fatalError() }
        })
        return section.render()
    }
}
