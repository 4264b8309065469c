import CustosLedger
import CustosTestSupport
import Testing

/// Randomized runs of whole clusters: honest nodes run `NodeConsensus`, up to f Byzantine nodes
/// vote for everything and send junk, the gateway may equivocate, messages arrive in a random
/// order, commits may be lost (nodes then catch up), and nodes restart from their persisted state.
/// Everything is driven by a seeded generator and bounded.
struct ClusterSimulation {
    enum Message {
        case proposal(to: Int, Block)
        case vote(Vote)
        case commit(to: Int, CertifiedBlock)
    }

    let cluster: TestCluster
    let byzantine: Set<Int>
    let equivocationRate: Double
    var rng: SeededGenerator

    var nodes: [Int: NodeConsensus] = [:]
    var applied: [Int: [Block]] = [:]
    var pendingCommits: [Int: [UInt64: CertifiedBlock]] = [:]
    /// Every valid vote the adversary (gateway and Byzantine nodes) ever saw, by height and block.
    var pool: [UInt64: [LedgerHash: [NodeID: Vote]]] = [:]
    /// Every block a certificate could be assembled for, by height.
    var certified: [UInt64: [LedgerHash: CertifiedBlock]] = [:]
    /// The certified chain the gateway serves for catch-up.
    var gatewayChain: [CertifiedBlock] = []
    /// What each honest node signed, by height.
    var honestVotes: [Int: [UInt64: Set<LedgerHash>]] = [:]
    var alerts: [EquivocationAlert] = []
    var queue: [Message] = []
    var equivocatedHeights: Set<UInt64> = []
    var halted = false
    /// Every block the gateway proposed, so that it can certify it.
    var knownBlocks: [LedgerHash: Block] = [:]

    init(n: Int, seed: UInt64, byzantineCount: Int, equivocationRate: Double) {
        cluster = TestCluster(n: n)
        rng = SeededGenerator(seed: seed)
        let chosen = TestCluster.byzantine(byzantineCount, of: n, using: &rng)
        byzantine = chosen
        self.equivocationRate = equivocationRate
        for i in 0..<n where !chosen.contains(i) {
            nodes[i] = cluster.node(i)
            applied[i] = []
            pendingCommits[i] = [:]
            honestVotes[i] = [:]
        }
    }

    var head: ChainHead { gatewayChain.last.map { ChainHead($0.block) } ?? cluster.genesis }

    mutating func deliver(_ message: Message) {
        switch message {
        case let .proposal(to: i, block):
            if byzantine.contains(i) { byzantineVotes(i, block) } else { honestProposal(i, block) }
        case let .vote(vote):
            gatewayReceives(vote)
        case let .commit(to: i, certifiedBlock):
            pendingCommits[i]![certifiedBlock.block.height] = certifiedBlock
            drainCommits(i)
        }
    }

    mutating func honestProposal(_ i: Int, _ block: Block) {
        if Int.random(in: 0..<10, using: &rng) == 0 { restart(i) }
        let skew = Int64(NodeConsensus.defaultMaximumClockSkew / 2)
        let now = UInt64(Int64(block.timestamp) + Int64.random(in: -skew...skew, using: &rng))
        var action = nodes[i]!.receiveProposal(block, now: now, validator: AcceptAllEntries())
        if case .refuse(.notNext) = action {
            // Behind: fetch the missing certified blocks from the gateway, then retry.
            let from = Int(nodes[i]!.head.height)
            guard case let .apply(blocks) = nodes[i]!.catchUp(Array(gatewayChain[from...])) else {
                Issue.record("catch-up from the gateway's certified chain refused")
                return
            }
            applied[i]! += blocks
            action = nodes[i]!.receiveProposal(block, now: now, validator: AcceptAllEntries())
        }
        switch action {
        case let .persistVoteThenSend(vote):
            honestVotes[i]![vote.height, default: []].insert(vote.blockHash)
            queue.append(.vote(vote))
        case let .alertEquivocation(alert):
            alerts.append(alert)
        case .refuse:
            break
        }
    }

    mutating func restart(_ i: Int) {
        let persisted = nodes[i]!.safetyState.serialized
        nodes[i] = cluster.node(i, state: try! SafetyState(serialized: persisted))
    }

    mutating func byzantineVotes(_ i: Int, _ block: Block) {
        // Votes for whatever it is shown (double votes under equivocation), plus junk.
        queue.append(.vote(cluster.vote(i, for: block)))
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            var sig = cluster.vote(i, for: block).signature
            sig[Int.random(in: 0..<64, using: &rng)] ^= 1
            queue.append(.vote(Vote(voter: cluster.identities[i].id, height: block.height, blockHash: block.hash, previousHash: block.previousHash, signature: sig)))
        case 1:
            let junk = try! Block(height: block.height, previousHash: block.previousHash, timestamp: block.timestamp, entries: [sampleEntry("junk-\(i)")])
            queue.append(.vote(cluster.vote(i, for: junk)))
        case 2:
            // Impersonate an honest node with its own key (a forgery).
            let victim = nodes.keys.sorted().randomElement(using: &rng)!
            let own = cluster.vote(i, for: block)
            queue.append(.vote(Vote(voter: cluster.identities[victim].id, height: block.height, blockHash: block.hash, previousHash: block.previousHash, signature: own.signature)))
        default:
            break
        }
    }

    mutating func gatewayReceives(_ vote: Vote) {
        guard (try? vote.verify(in: cluster.configuration)) != nil else { return }
        pool[vote.height, default: [:]][vote.blockHash, default: [:]][vote.voter] = vote
        let votes = Array(pool[vote.height]![vote.blockHash]!.values)
        guard votes.count >= cluster.quorum, certified[vote.height]?[vote.blockHash] == nil,
            let qc = try? QuorumCertificate(votes: votes, configuration: cluster.configuration)
        else { return }
        guard let block = knownBlocks[vote.blockHash] else { return }
        let cb = CertifiedBlock(block: block, certificate: qc)
        certified[vote.height, default: [:]][vote.blockHash] = cb
        guard vote.height == head.height + 1 else { return }
        gatewayChain.append(cb)
        for i in nodes.keys.sorted() where Int.random(in: 0..<8, using: &rng) != 0 {  // some commits are lost
            queue.append(.commit(to: i, cb))
        }
    }

    mutating func drainCommits(_ i: Int) {
        while let next = pendingCommits[i]![nodes[i]!.head.height + 1] {
            pendingCommits[i]![next.block.height] = nil
            guard case let .apply(block) = nodes[i]!.commit(next) else {
                Issue.record("node \(i) refused a certified next block")
                return
            }
            applied[i]!.append(block)
        }
    }

    /// The safety properties.
    func check() {
        for (height, blocks) in certified {
            #expect(blocks.count <= 1, "two certified blocks at height \(height)")
        }
        // Also from the raw pool of every valid vote the adversary collected, including junk.
        for (height, byBlock) in pool {
            let quorate = byBlock.filter { $0.value.count >= cluster.quorum }
            #expect(quorate.count <= 1, "two blocks with q valid votes at height \(height)")
        }
        for (i, votes) in honestVotes {
            for (height, hashes) in votes { #expect(hashes.count == 1, "honest node \(i) voted for \(hashes.count) blocks at \(height)") }
        }
        let chains = applied.values.map { $0.map(\.hash) }
        for x in chains {
            for y in chains {
                let shorter = min(x.count, y.count)
                #expect(Array(x.prefix(shorter)) == Array(y.prefix(shorter)), "committed chains diverge")
            }
        }
        for alert in alerts { #expect(equivocatedHeights.contains(alert.height), "alert without equivocation") }
        // Everything applied verifies offline.
        let export = ChainExport(configuration: cluster.configuration, blocks: gatewayChain)
        #expect(verifyChain(export) == .valid(genesisDigest: cluster.configuration.genesisDigest, head: head))
    }
}

@Suite("Randomized cluster simulation")
struct SimulationTests {
    static let seeds: [UInt64] = Array(1...12)

    @Test("n = 4 and n = 7: honest gateway, up to f Byzantine nodes — progress and safety", arguments: [4, 7], seeds)
    func honestGateway(n: Int, seed: UInt64) {
        let f = (n - 1) / 3
        var sim = ClusterSimulation(n: n, seed: seed &* 7919 &+ UInt64(n), byzantineCount: Int(seed) % (f + 1), equivocationRate: 0)
        sim.run(heights: 6)
        sim.check()
        #expect(sim.head.height == 6)
        #expect(sim.alerts.isEmpty)
        for (_, blocks) in sim.applied { #expect(blocks.count <= 6) }
    }

    @Test("n = 4 and n = 7: equivocating gateway and f Byzantine nodes — safety, alerts", arguments: [4, 7], seeds)
    func equivocatingGateway(n: Int, seed: UInt64) {
        let f = (n - 1) / 3
        var sim = ClusterSimulation(n: n, seed: seed &* 104_729 &+ UInt64(n), byzantineCount: f, equivocationRate: 0.5)
        sim.run(heights: 8)
        sim.check()
    }

    @Test("Across all equivocating runs: equivocation is detected, some heights still commit, some runs halt")
    func alertsHappen() {
        var alerts = 0, halted = 0, committedThroughEquivocation = 0
        for seed in Self.seeds {
            var sim = ClusterSimulation(n: 4, seed: seed &* 104_729 &+ 4, byzantineCount: 1, equivocationRate: 0.5)
            sim.run(heights: 8)
            alerts += sim.alerts.count
            halted += sim.halted ? 1 : 0
            committedThroughEquivocation += sim.equivocatedHeights.filter { sim.certified[$0] != nil }.count
        }
        #expect(alerts > 0)
        #expect(halted > 0)
        #expect(committedThroughEquivocation > 0)
    }
}

extension ClusterSimulation {
    /// Runs up to `heights` heights, stopping when the log halts.
    mutating func run(heights: Int) {
        for _ in 0..<heights where !halted { runHeight() }
    }

    /// One height: the gateway proposes (one block, or two if it equivocates this time), every
    /// message is delivered in a random order, and the height must commit unless it equivocated.
    mutating func runHeight() {
        let head = self.head
        let height = head.height + 1
        let timestamp = head.timestamp + UInt64.random(in: 0...3000, using: &rng)
        func block(_ tag: String) -> Block {
            let count = Int.random(in: 0...4, using: &rng)
            return try! Block(height: height, previousHash: head.hash, timestamp: timestamp,
                              entries: (0..<count).map { sampleEntry("\(tag)-\(height)-\($0)") })
        }
        var proposals = [block("a")]
        if Double.random(in: 0..<1, using: &rng) < equivocationRate {
            proposals.append(block("b"))
            equivocatedHeights.insert(height)
        }
        for p in proposals { knownBlocks[p.hash] = p }
        for i in 0..<cluster.identities.count {
            var sent = [proposals.randomElement(using: &rng)!]
            if proposals.count > 1, Bool.random(using: &rng) { sent = proposals.shuffled(using: &rng) }
            for p in sent { queue.append(.proposal(to: i, p)) }
        }
        var steps = 0
        while !queue.isEmpty {
            steps += 1
            precondition(steps < 10_000, "simulation did not settle")
            deliver(queue.remove(at: Int.random(in: 0..<queue.count, using: &rng)))
        }
        if certified[height] == nil {
            #expect(equivocatedHeights.contains(height), "no progress at height \(height) with an honest gateway")
            halted = true
        }
    }
}
