import CustosLedger
import CustosTestSupport
import Testing

/// Randomized runs of a whole cluster through rounds (`NodeConsensus`, "Rounds"). Honest nodes
/// run `NodeConsensus` and persist its state only where its actions say; they may crash between
/// deciding and persisting (the vote is then never sent). For the first `adversarialRounds`
/// rounds of every height the gateway is hostile: it equivocates (up to three blocks in one
/// round), drops proposals and votes, withholds certificates it could assemble, and builds each
/// round-change certificate from whichever quorum of round changes allows it the most. Up to f
/// Byzantine members vote for every block they are shown and sign round changes that list
/// nothing. Then the gateway behaves. Every valid vote anyone signed goes to `pool`, so the
/// safety check sees every certificate the adversary could assemble, hidden or not.
struct RoundSimulation {
    let cluster: TestCluster
    let byzantine: Set<Int>
    var rng: SeededGenerator
    let adversarialRounds: Int
    let equivocates: Bool
    let lossRate: Double

    var nodes: [Int: NodeConsensus] = [:]
    var persisted: [Int: [UInt8]] = [:]
    var chain: [CertifiedBlock] = []
    /// Every valid vote signed, by height, round and block.
    var pool: [UInt64: [UInt32: [LedgerHash: Set<NodeID>]]] = [:]
    /// What each honest node signed, by height and round.
    var honestVotes: [Int: [UInt64: [UInt32: Set<LedgerHash>]]] = [:]
    var blocks: [LedgerHash: Block] = [:]
    var alerts = 0
    /// Heights the honest gateway could not move on (two blocks might be certified), with whether
    /// the adversary had equivocated there.
    var stuck: [(height: UInt64, equivocated: Bool)] = []
    /// Heights that committed after a round change.
    var recoveredHeights = 0
    var equivocatedHeights: Set<UInt64> = []
    var now = TestCluster.genesisTime

    init(n: Int, seed: UInt64, byzantineCount: Int, adversarialRounds: Int, equivocates: Bool, lossRate: Double) {
        cluster = TestCluster(n: n)
        rng = SeededGenerator(seed: seed)
        let chosen = TestCluster.byzantine(byzantineCount, of: n, using: &rng)
        byzantine = chosen
        self.adversarialRounds = adversarialRounds
        self.equivocates = equivocates
        self.lossRate = lossRate
        for i in 0..<n where !chosen.contains(i) {
            nodes[i] = cluster.node(i)
            persisted[i] = nodes[i]!.safetyState.serialized
            honestVotes[i] = [:]
        }
    }

    var head: ChainHead { chain.last.map { ChainHead($0.block) } ?? cluster.genesis }
    var quorum: Int { cluster.quorum }

    mutating func fresh(_ tag: String) -> Block {
        let count = Int.random(in: 0...2, using: &rng)
        return try! Block(height: head.height + 1, previousHash: head.hash, timestamp: max(now, head.timestamp),
                          entries: (0..<count).map { sampleEntry("\(tag)-\(head.height + 1)-\($0)") })
    }

    /// Runs `heights` heights; stops at the first height the honest gateway cannot move on.
    mutating func run(heights: Int) {
        for _ in 0..<heights {
            guard runHeight() else { return }
        }
    }

    /// One height through rounds until it commits (true) or the honest gateway is stuck (false).
    mutating func runHeight() -> Bool {
        let height = head.height + 1
        var justification: RoundChangeCertificate?
        var allowed: RoundChangeCertificate.Allowed = .anyBlock
        for round in UInt32(0)..<UInt32(adversarialRounds + 6) {
            now += UInt64.random(in: 100...2_000, using: &rng)
            let hostile = round < UInt32(adversarialRounds)
            // The proposals of this round.
            var proposals: [Block]
            switch allowed {
            case let .only(hash): proposals = [blocks[hash]!]
            default: proposals = [fresh("r\(round)")]
            }
            if hostile, equivocates, Bool.random(using: &rng) {
                proposals += (0..<Int.random(in: 1...2, using: &rng)).map { fresh("e\(round)-\($0)") }
                equivocatedHeights.insert(height)
            }
            for block in proposals { blocks[block.hash] = block }
            // Delivery: every node is shown one of them (or two, or none when hostile).
            for i in 0..<cluster.identities.count {
                var shown = [proposals.randomElement(using: &rng)!]
                if hostile {
                    if Double.random(in: 0..<1, using: &rng) < lossRate { shown = [] }
                    if proposals.count > 1, Bool.random(using: &rng) { shown = proposals.shuffled(using: &rng) }
                }
                for block in shown {
                    let proposal = Proposal(block: block, round: round, justification: justification)
                    if byzantine.contains(i) { byzantineVote(i, proposal) } else { honestProposal(i, proposal, hostile: hostile) }
                }
            }
            // Whatever could be certified in this round: the hostile gateway may hide it.
            for block in proposals {
                guard (pool[height]?[round]?[block.hash]?.count ?? 0) >= quorum else { continue }
                if hostile, Bool.random(using: &rng) { continue }
                commit(block, round: round)
                if round > 0 { recoveredHeights += 1 }
                return true
            }
            // Every node gives the round up.
            var changes: [RoundChange] = []
            for i in 0..<cluster.identities.count {
                if byzantine.contains(i) {
                    changes.append(RoundChange(signing: height, round: round, previousHash: head.hash, votedBlocks: [],
                                               genesisDigest: cluster.configuration.genesisDigest, identity: cluster.identities[i]))
                } else if let change = honestAbandon(i, round: round) {
                    changes.append(change)
                }
            }
            guard let next = hostile ? mostPermissive(changes, height: height, round: round) : fair(changes, height: height, round: round)
            else {
                if !hostile {
                    stuck.append((height, equivocatedHeights.contains(height)))
                    return false
                }
                // Nothing justifiable: the next round's proposal is unjustified, and refused.
                continue
            }
            justification = next
            allowed = next.allowedBlock(in: cluster.configuration)
        }
        stuck.append((height, equivocatedHeights.contains(height)))
        return false
    }

    mutating func honestProposal(_ i: Int, _ proposal: Proposal, hostile: Bool) {
        if Int.random(in: 0..<10, using: &rng) == 0 { restart(i) }
        let action = nodes[i]!.receiveProposal(proposal, now: now, validator: AcceptAllEntries())
        switch action {
        case let .persistVoteThenSend(vote):
            // A crash between deciding and persisting: the vote is never sent.
            if Int.random(in: 0..<8, using: &rng) == 0 {
                restart(i)
                return
            }
            persisted[i] = nodes[i]!.safetyState.serialized
            honestVotes[i]![vote.height, default: [:]][vote.round, default: []].insert(vote.blockHash)
            if hostile, Double.random(in: 0..<1, using: &rng) < lossRate { return }  // lost on the way (signed all the same)
            record(vote)
        case .alertEquivocation:
            alerts += 1
        case .refuse:
            break
        }
    }

    mutating func honestAbandon(_ i: Int, round: UInt32) -> RoundChange? {
        if Int.random(in: 0..<10, using: &rng) == 0 { restart(i) }
        guard let change = nodes[i]!.abandon(round: round) else { return nil }
        persisted[i] = nodes[i]!.safetyState.serialized
        return change
    }

    mutating func byzantineVote(_ i: Int, _ proposal: Proposal) {
        record(Vote(signing: proposal.block, round: proposal.round, genesisDigest: cluster.configuration.genesisDigest,
                    identity: cluster.identities[i]))
    }

    mutating func record(_ vote: Vote) {
        guard (try? vote.verify(in: cluster.configuration)) != nil else { return }
        pool[vote.height, default: [:]][vote.round, default: [:]][vote.blockHash, default: []].insert(vote.voter)
    }

    mutating func restart(_ i: Int) {
        nodes[i] = cluster.node(i, state: try! SafetyState(serialized: persisted[i]!))
    }

    mutating func commit(_ block: Block, round: UInt32) {
        let voters = pool[block.height]![round]![block.hash]!.sorted().prefix(quorum)
        let votes = voters.map { id in
            Vote(signing: block, round: round, genesisDigest: cluster.configuration.genesisDigest,
                 identity: cluster.identities.first { $0.id == id }!)
        }
        let certified = CertifiedBlock(block: block, certificate: try! QuorumCertificate(votes: votes, configuration: cluster.configuration))
        chain.append(certified)
        for i in nodes.keys.sorted() {
            guard case .apply = nodes[i]!.commit(certified) else {
                Issue.record("node \(i) refused the certified block at \(block.height)")
                continue
            }
            persisted[i] = nodes[i]!.safetyState.serialized
        }
    }

    /// The honest gateway: all round changes it has.
    func fair(_ changes: [RoundChange], height: UInt64, round: UInt32) -> RoundChangeCertificate? {
        let certificate = RoundChangeCertificate(height: height, round: round, previousHash: head.hash, changes: changes)
        guard (try? certificate.verify(in: cluster.configuration)) != nil else { return nil }
        if case .nothing = certificate.allowedBlock(in: cluster.configuration) { return nil }
        if case let .only(hash) = certificate.allowedBlock(in: cluster.configuration), blocks[hash] == nil { return nil }
        return certificate
    }

    /// The hostile gateway: of every quorum of round changes, one that allows a fresh block if
    /// any does, else one that allows a block other than the most voted, else any that allows something.
    mutating func mostPermissive(_ changes: [RoundChange], height: UInt64, round: UInt32) -> RoundChangeCertificate? {
        var best: (score: Int, certificate: RoundChangeCertificate)?
        let n = changes.count
        guard n >= quorum else { return nil }
        for mask in 1..<(1 << n) where mask.nonzeroBitCount >= quorum {
            let subset = (0..<n).filter { mask & (1 << $0) != 0 }.map { changes[$0] }
            let certificate = RoundChangeCertificate(height: height, round: round, previousHash: head.hash, changes: subset)
            guard (try? certificate.verify(in: cluster.configuration)) != nil else { continue }
            let score: Int
            switch certificate.allowedBlock(in: cluster.configuration) {
            case .anyBlock: score = 3
            case let .only(hash) where blocks[hash] != nil: score = Bool.random(using: &rng) ? 2 : 1
            default: continue
            }
            if score > (best?.score ?? 0) { best = (score, certificate) }
        }
        return best?.certificate
    }

    /// The safety properties, checked over everything anyone signed.
    func check() {
        for (height, rounds) in pool {
            var certifiable: Set<LedgerHash> = []
            for (_, byBlock) in rounds { for (hash, voters) in byBlock where voters.count >= quorum { certifiable.insert(hash) } }
            #expect(certifiable.count <= 1, "\(certifiable.count) blocks could be certified at height \(height)")
        }
        for (i, heights) in honestVotes {
            for (height, rounds) in heights {
                for (round, hashes) in rounds { #expect(hashes.count == 1, "honest node \(i) voted twice at \(height) round \(round)") }
            }
        }
        let export = ChainExport(configuration: cluster.configuration, blocks: chain)
        #expect(verifyChain(export) == .valid(genesisDigest: cluster.configuration.genesisDigest, head: head))
        for (i, node) in nodes { #expect(node.head == head, "node \(i) is at \(node.head), the chain at \(head)") }
    }
}
