import Crypto
import CustosLedger
import CustosTestSupport
import Testing

/// A cluster of n members with deterministic identity keys, and helpers to build blocks, votes
/// and certificates for it.
struct TestCluster {
    static let genesisTime: UInt64 = 1_790_000_000_000

    let identities: [NodeIdentity]
    let configuration: ClusterConfiguration

    init(n: Int, name: String = "test-cluster", seed: UInt8 = 1, genesisDocument: [UInt8] = Array("genesis".utf8)) {
        identities = (0..<n).map { i in
            var raw = [UInt8](repeating: seed, count: 32)
            raw[0] = UInt8(i)
            let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: raw)
            // X25519 clamps the low bits of byte 0, so the index goes in byte 1.
            var transportRaw = [UInt8](repeating: seed ^ 0xff, count: 32)
            transportRaw[1] = UInt8(i)
            let transport = try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: transportRaw)
            return NodeIdentity(id: try! NodeID("node-\(i)"), signingKey: key, transportKey: transport)
        }
        configuration = try! ClusterConfiguration(
            name: name, members: identities.map { try! $0.member() }, genesisTimestamp: Self.genesisTime,
            genesisDocument: genesisDocument, allowWithoutFaultTolerance: n < 4)
    }

    /// `count` distinct member indices below `n`, drawn from `rng`: the Byzantine members of a simulation.
    static func byzantine(_ count: Int, of n: Int, using rng: inout SeededGenerator) -> Set<Int> {
        var chosen = Set<Int>()
        while chosen.count < count { chosen.insert(Int.random(in: 0..<n, using: &rng)) }
        return chosen
    }

    var genesis: ChainHead { .genesis(configuration) }
    var quorum: Int { configuration.quorum }

    func node(_ i: Int, state: SafetyState? = nil) -> NodeConsensus {
        try! NodeConsensus(configuration: configuration, identity: identities[i], safetyState: state ?? .genesis(configuration))
    }

    func vote(_ i: Int, for block: Block) -> Vote {
        Vote(signing: block, genesisDigest: configuration.genesisDigest, identity: identities[i])
    }

    func certificate(for block: Block, by voters: some Sequence<Int>) -> QuorumCertificate {
        QuorumCertificate(height: block.height, blockHash: block.hash, previousHash: block.previousHash,
                          votes: voters.map { vote($0, for: block) })
    }

    func certified(_ block: Block, by voters: some Sequence<Int>) -> CertifiedBlock {
        CertifiedBlock(block: block, certificate: certificate(for: block, by: voters))
    }

    /// A chain of `count` certified blocks from genesis, one second apart, `entries` entries each.
    func chain(_ count: Int, entries: Int = 2, tag: String = "a") -> [CertifiedBlock] {
        var head = genesis
        var out: [CertifiedBlock] = []
        for h in 1...max(count, 1) where h <= count {
            let block = try! Block(height: head.height + 1, previousHash: head.hash, timestamp: head.timestamp + 1000,
                                   entries: (0..<entries).map { sampleEntry("\(tag)-\(h)-\($0)") })
            out.append(certified(block, by: 0..<quorum))
            head = ChainHead(height: block.height, hash: block.hash, timestamp: block.timestamp)
        }
        return out
    }

    /// Node `i`'s round change for round 0 at height 1, listing `voted` distinct blocks.
    func roundChange(_ i: Int, voted: Int = 0) -> RoundChange {
        RoundChange(signing: 1, round: 0, previousHash: genesis.hash,
                    votedBlocks: (0..<voted).map { nextBlock(after: genesis, entries: [sampleEntry("voted-\($0)")]).hash },
                    genesisDigest: configuration.genesisDigest, identity: identities[i])
    }

    /// A certificate of q round changes for round 0 at height 1.
    func roundChangeCertificate() -> RoundChangeCertificate {
        RoundChangeCertificate(height: 1, round: 0, previousHash: genesis.hash, changes: (0..<quorum).map { roundChange($0, voted: $0 % 2) })
    }

    func nextBlock(after head: ChainHead, entries: [Entry] = [sampleEntry("x")], timestamp: UInt64? = nil) -> Block {
        try! Block(height: head.height + 1, previousHash: head.hash, timestamp: timestamp ?? head.timestamp + 1000, entries: entries)
    }
}

func sampleEntry(_ text: String, kind: String = "test.note") -> Entry {
    try! Entry(kind: kind, payload: Array(text.utf8), authorization: Array(repeating: 0xa5, count: 64))
}

extension ChainHead {
    init(_ block: Block) { self.init(height: block.height, hash: block.hash, timestamp: block.timestamp) }
}

extension ProposalAction {
    var vote: Vote? {
        if case let .persistVoteThenSend(v) = self { return v }
        return nil
    }
    var refusal: ProposalRefusal? {
        if case let .refuse(r) = self { return r }
        return nil
    }
    var alert: EquivocationAlert? {
        if case let .alertEquivocation(a) = self { return a }
        return nil
    }
}

/// Runs `body` and returns the LedgerError it throws, or nil; any other error fails the test.
func ledgerError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> LedgerError? {
    do { try body() } catch let error as LedgerError { return error } catch {
        Issue.record("not a LedgerError: \(error)", sourceLocation: sourceLocation)
        return nil
    }
    return nil
}
