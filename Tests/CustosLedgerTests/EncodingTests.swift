import CustosCore
import CustosLedger
import CustosTestSupport
import Testing

/// The block rebuilt from its decoded fields: its encoding must equal the bytes it was decoded
/// from (the decoder hashes the bytes as given, so they must be canonical).
func rebuilt(_ block: Block) throws(LedgerError) -> Block {
    try Block(height: block.height, previousHash: block.previousHash, timestamp: block.timestamp, entries: block.entries)
}

@Suite("Strict encodings")
struct EncodingTests {
    let cluster = TestCluster(n: 4)

    /// One encoded value and its strict decoder, which returns the re-encoding of what it decoded.
    struct Codec: CustomTestStringConvertible, Sendable {
        let name: String
        let bytes: @Sendable (TestCluster) -> [UInt8]
        let decode: @Sendable ([UInt8]) throws(LedgerError) -> [UInt8]
        var testDescription: String { name }
    }

    static let codecs: [Codec] = [
        Codec(name: "block", bytes: { c in c.chain(1, entries: 3)[0].block.serialized },
              decode: { b throws(LedgerError) in try rebuilt(Block(serialized: b)).serialized }),
        Codec(name: "empty block", bytes: { c in c.nextBlock(after: c.genesis, entries: []).serialized },
              decode: { b throws(LedgerError) in try rebuilt(Block(serialized: b)).serialized }),
        Codec(name: "vote", bytes: { c in c.vote(1, for: c.nextBlock(after: c.genesis)).serialized },
              decode: { b throws(LedgerError) in try Vote(serialized: b).serialized }),
        Codec(name: "quorum certificate", bytes: { c in c.chain(1)[0].certificate.serialized },
              decode: { b throws(LedgerError) in try QuorumCertificate(serialized: b).serialized }),
        Codec(name: "cluster configuration", bytes: { c in c.configuration.serialized },
              decode: { b throws(LedgerError) in try ClusterConfiguration(serialized: b).serialized }),
        Codec(name: "chain export", bytes: { c in ChainExport(configuration: c.configuration, blocks: c.chain(2)).serialized },
              decode: { b throws(LedgerError) in try ChainExport(serialized: b).serialized }),
        Codec(name: "safety state", bytes: { c in
                  var node = c.node(0)
                  _ = node.receiveProposal(c.nextBlock(after: c.genesis), now: TestCluster.genesisTime + 1000, validator: AcceptAllEntries())
                  return node.safetyState.serialized
              },
              decode: { b throws(LedgerError) in try SafetyState(serialized: b).serialized }),
        Codec(name: "sequencer state", bytes: { c in
                  SequencerState(genesisDigest: c.configuration.genesisDigest, head: c.genesis, pending: c.nextBlock(after: c.genesis)).serialized
              },
              decode: { b throws(LedgerError) in try SequencerState(serialized: b).serialized }),
        Codec(name: "vote in a later round", bytes: { c in
                  Vote(signing: c.nextBlock(after: c.genesis), round: 3, genesisDigest: c.configuration.genesisDigest, identity: c.identities[1])
                      .serialized
              },
              decode: { b throws(LedgerError) in try Vote(serialized: b).serialized }),
        Codec(name: "quorum certificate in a later round", bytes: { c in
                  let block = c.nextBlock(after: c.genesis)
                  return QuorumCertificate(height: 1, round: 2, blockHash: block.hash, previousHash: block.previousHash, votes: (0..<3).map {
                      Vote(signing: block, round: 2, genesisDigest: c.configuration.genesisDigest, identity: c.identities[$0])
                  }).serialized
              },
              decode: { b throws(LedgerError) in try QuorumCertificate(serialized: b).serialized }),
        Codec(name: "round change", bytes: { c in c.roundChange(2, voted: 2).serialized },
              decode: { b throws(LedgerError) in try RoundChange(serialized: b).serialized }),
        Codec(name: "round-change certificate", bytes: { c in c.roundChangeCertificate().serialized },
              decode: { b throws(LedgerError) in try RoundChangeCertificate(serialized: b).serialized }),
        Codec(name: "sequencer state in a later round", bytes: { c in
                  SequencerState(genesisDigest: c.configuration.genesisDigest, head: c.genesis, pending: c.nextBlock(after: c.genesis),
                                 round: 1, justification: c.roundChangeCertificate()).serialized
              },
              decode: { b throws(LedgerError) in try SequencerState(serialized: b).serialized }),
        Codec(name: "safety state with rounds", bytes: { c in
                  let block = c.nextBlock(after: c.genesis)
                  return SafetyState(genesisDigest: c.configuration.genesisDigest,
                                     votes: [.init(height: 1, round: 0, blockHash: block.hash), .init(height: 1, round: 2, blockHash: block.hash)],
                                     roundChange: .init(height: 1, round: 4), head: c.genesis).serialized
              },
              decode: { b throws(LedgerError) in try SafetyState(serialized: b).serialized }),
    ]

    @Test("Round trip", arguments: codecs)
    func roundTrip(_ codec: Codec) throws {
        let bytes = codec.bytes(cluster)
        #expect(try codec.decode(bytes) == bytes)
    }

    @Test("Every truncation and any extension is refused with a clear error", arguments: codecs)
    func truncatedAndExtended(_ codec: Codec) {
        let bytes = codec.bytes(cluster)
        for length in 0..<bytes.count {
            let error = ledgerError { _ = try codec.decode(Array(bytes.prefix(length))) }
            #expect(error?.code == .malformedEncoding, "\(codec.name) truncated to \(length) of \(bytes.count) bytes: \(String(describing: error))")
            // Named where it ran out: a truncated header, field or count that cannot fit.
            let reason = error?.reason ?? ""
            #expect(reason.contains("truncated") || reason.contains("cannot fit"), "\(codec.name) truncated to \(length): \(reason)")
        }
        for extra in [[0], [0xff], [1, 2, 3]] as [[UInt8]] {
            let error = ledgerError { _ = try codec.decode(bytes + extra) }
            #expect(error?.code == .malformedEncoding, "\(codec.name) + \(extra)")
            #expect(error?.reason.contains("trailing") == true, "\(String(describing: error))")
        }
    }

    @Test("Seeded mutations never crash: each is refused or decodes to exactly the mutated bytes", arguments: codecs)
    func mutations(_ codec: Codec) {
        var rng = SeededGenerator(seed: 0x1ed6e5 ^ UInt64(codec.name.utf8.count))
        let bytes = codec.bytes(cluster)
        var refused = 0
        for _ in 0..<400 {
            var m = bytes
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:  // flip a bit
                let i = Int.random(in: 0..<m.count, using: &rng)
                m[i] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            case 1:  // overwrite a byte
                m[Int.random(in: 0..<m.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            case 2:  // delete a byte
                m.remove(at: Int.random(in: 0..<m.count, using: &rng))
            default:  // insert a byte
                m.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...m.count, using: &rng))
            }
            do {
                let reencoded = try codec.decode(m)
                #expect(reencoded == m, "\(codec.name): a mutated encoding decoded to a different canonical encoding")
            } catch {
                refused += 1
                #expect(!error.reason.isEmpty)
            }
        }
        #expect(refused > 0)
    }

    @Test("Oversized counts are refused before allocation")
    func oversizedCounts() throws {
        let block = cluster.nextBlock(after: cluster.genesis, entries: [])
        // Entry count field sits after version, kind, height, previous hash and timestamp.
        var hugeCount = block.serialized
        hugeCount.replaceSubrange(50..<54, with: [0xff, 0xff, 0xff, 0xff])
        #expect(ledgerError { _ = try Block(serialized: hugeCount) }?.code == .limitExceeded)
        var unbacked = block.serialized
        unbacked.replaceSubrange(50..<54, with: [0, 0, 0x27, 0x10])  // 10,000 entries, no bytes
        #expect(ledgerError { _ = try Block(serialized: unbacked) }?.code == .malformedEncoding)

        var qc = cluster.chain(1)[0].certificate.serialized
        qc.replaceSubrange(74..<78, with: [0, 0, 0x10, 0])  // 4096 votes
        #expect(ledgerError { _ = try QuorumCertificate(serialized: qc) }?.code == .limitExceeded)

        // A payload length larger than the entry limit.
        let entryBlock = cluster.nextBlock(after: cluster.genesis, entries: [try Entry(kind: "k", payload: [1, 2, 3])])
        var payload = entryBlock.serialized
        let payloadLength = 54 + 1 + 1
        payload.replaceSubrange(payloadLength..<(payloadLength + 4), with: [0x7f, 0xff, 0xff, 0xff])
        #expect(ledgerError { _ = try Block(serialized: payload) }?.code == .limitExceeded)

        let tooBig = [UInt8](repeating: 0, count: Block.maximumEncodedBytes + 1)
        #expect(ledgerError { _ = try Block(serialized: tooBig) }?.code == .limitExceeded)
    }

    @Test("Wrong version and wrong kind tags are refused")
    func tags() {
        var vote = cluster.vote(0, for: cluster.nextBlock(after: cluster.genesis)).serialized
        vote[0] = 2
        #expect(ledgerError { _ = try Vote(serialized: vote) }?.reason.contains("version") == true)
        let block = cluster.nextBlock(after: cluster.genesis).serialized
        #expect(ledgerError { _ = try Vote(serialized: block) }?.reason.contains("kind") == true)
    }

    @Test("Non-canonical certificates (voters out of order or repeated) are refused")
    func certificateOrder() throws {
        let qc = cluster.chain(1)[0].certificate
        let sigStart = 78 + 1 + 6  // first voter: length byte, "node-0"
        let first = Array(qc.serialized[78..<(sigStart + 64)])
        let second = Array(qc.serialized[(sigStart + 64)..<(sigStart + 64 + 71)])
        var swapped = Array(qc.serialized[0..<78])
        swapped += second + first + Array(qc.serialized[(sigStart + 64 + 71)...])
        #expect(ledgerError { _ = try QuorumCertificate(serialized: swapped) }?.reason.contains("ascending") == true)
        var repeated = Array(qc.serialized[0..<78]) + first + first + Array(qc.serialized[(sigStart + 64 + 71)...])
        #expect(ledgerError { _ = try QuorumCertificate(serialized: repeated) }?.code == .malformedEncoding)
        repeated.removeAll()
    }

    @Test("A decoded block's hash is recomputed from its bytes")
    func hashRecomputed() throws {
        let block = cluster.nextBlock(after: cluster.genesis)
        var bytes = block.serialized
        bytes[bytes.count - 1] ^= 1  // inside the last entry's authorization
        let decoded = try Block(serialized: bytes)
        #expect(decoded.hash != block.hash)
    }

    @Test("Entry kinds and sizes are checked")
    func entries() {
        #expect(ledgerError { _ = try Entry(kind: "", payload: []) }?.code == .malformedEncoding)
        #expect(ledgerError { _ = try Entry(kind: "has space", payload: []) }?.code == .malformedEncoding)
        #expect(ledgerError { _ = try Entry(kind: String(repeating: "k", count: 65), payload: []) }?.code == .malformedEncoding)
        #expect(ledgerError { _ = try Entry(kind: "k", payload: [UInt8](repeating: 0, count: Entry.maximumPayloadBytes + 1)) }?.code == .limitExceeded)
        #expect(ledgerError { _ = try Entry(kind: "k", payload: [], authorization: [UInt8](repeating: 0, count: Entry.maximumAuthorizationBytes + 1)) }?.code == .limitExceeded)
        #expect(ledgerError { _ = try Block(height: 0, previousHash: cluster.genesis.hash, timestamp: 0, entries: []) }?.code == .brokenChain)
    }
}
