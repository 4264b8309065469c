import CustosCore
import CustosLedger
import Testing

@Suite("Quorum property: two conflicting blocks never both certified")
struct QuorumPropertyTests {
    @Test("Counting argument for every n up to 64, every split of honest votes, f Byzantine double voters")
    func counting() {
        for n in 4...64 {
            let f = (n - 1) / 3
            let q = (n + f + 2) / 2
            for byzantine in 0...f {
                let honest = n - byzantine
                for forA in 0...honest {
                    let votesA = forA + byzantine
                    let votesB = (honest - forA) + byzantine
                    #expect(!(votesA >= q && votesB >= q), "n = \(n), byzantine = \(byzantine), split \(forA)/\(honest - forA)")
                }
            }
        }
    }

    /// A malicious gateway proposes block A to some nodes and block B to the others, then tries
    /// the other block on everyone. Byzantine nodes vote for both. Honest nodes vote once, alert
    /// on the second block, and no two certificates exist.
    @Test("Equivocating gateway with f Byzantine members, real state machines and signatures", arguments: [
        (4, [3], [0, 1]), (4, [0], [1]), (4, [], [0, 1]), (7, [5, 6], [0, 1, 2]), (7, [0, 6], [1, 2]), (7, [], [0, 1, 2, 3]),
    ])
    func equivocatingGateway(n: Int, byzantine: [Int], firstGroupGetsA: [Int]) {
        let cluster = TestCluster(n: n)
        let a = cluster.nextBlock(after: cluster.genesis, entries: [sampleEntry("pay alice 10")])
        let b = cluster.nextBlock(after: cluster.genesis, entries: [sampleEntry("pay mallory 10000")])
        #expect(a.height == b.height && a.hash != b.hash)
        let now = a.timestamp
        var nodes = (0..<n).map { cluster.node($0) }
        var votes: [LedgerHash: [Vote]] = [:]
        var alerts: [EquivocationAlert] = []
        let honest = (0..<n).filter { !byzantine.contains($0) }

        for i in honest {
            let first = firstGroupGetsA.contains(i) ? a : b
            let second = first == a ? b : a
            for block in [first, second] {
                switch nodes[i].receiveProposal(block, now: now, validator: AcceptAllEntries()) {
                case let .persistVoteThenSend(v): votes[v.blockHash, default: []].append(v)
                case let .alertEquivocation(alert): alerts.append(alert)
                case let .refuse(reason): Issue.record("unexpected refusal \(reason)")
                }
            }
        }
        for i in byzantine {
            votes[a.hash, default: []].append(cluster.vote(i, for: a))
            votes[b.hash, default: []].append(cluster.vote(i, for: b))
        }

        #expect(alerts.count == honest.count, "every honest node alerts on the second block")
        for alert in alerts { #expect(Set([alert.votedHash, alert.conflictingHash]) == Set([a.hash, b.hash])) }
        // Each honest node voted exactly once.
        let honestIDs = Set(honest.map { cluster.identities[$0].id })
        let honestVotes = votes.values.flatMap { $0 }.filter { honestIDs.contains($0.voter) }
        #expect(honestVotes.count == honest.count)
        #expect(Set(honestVotes.map(\.voter)).count == honest.count)

        var certified: [LedgerHash] = []
        for (hash, vs) in votes {
            if (try? QuorumCertificate(votes: vs, configuration: cluster.configuration)) != nil { certified.append(hash) }
        }
        #expect(certified.count <= 1, "two conflicting certificates at one height")
    }

    /// The sequencer's test hook: the gateway proposes A (recorded), then builds B at the same
    /// height for half of the nodes. Honest nodes vote once and alert; the sequencer flags votes
    /// for B; only A can be certified.
    @Test("Sequencer test hook: an equivocating gateway gets at most one certificate", arguments: [4, 7])
    func sequencerHook(n: Int) throws {
        let cluster = TestCluster(n: n)
        var sequencer = try Sequencer(configuration: cluster.configuration, state: .genesis(cluster.configuration))
        guard case let .persistProposalThenSend(a) = try sequencer.propose(entries: [sampleEntry("a")], now: TestCluster.genesisTime + 1000) else {
            Issue.record("no proposal")
            return
        }
        let b = try #require(try sequencer.unsafeEquivocatingProposal(entries: [sampleEntry("b")]))
        #expect(b.height == a.height && b.hash != a.hash)
        #expect(try sequencer.unsafeEquivocatingProposal(entries: a.entries) == nil)
        var nodes = (0..<n).map { cluster.node($0) }
        var outcomes: [VoteOutcome] = []
        var alerts = 0
        for i in 0..<n {
            let order = i % 2 == 0 ? [a, b] : [b, a]
            for block in order {
                switch nodes[i].receiveProposal(block, now: a.timestamp, validator: AcceptAllEntries()) {
                case let .persistVoteThenSend(vote): outcomes.append(sequencer.receive(vote))
                case .alertEquivocation: alerts += 1
                case let .refuse(reason): Issue.record("unexpected refusal \(reason)")
                }
            }
        }
        #expect(alerts == n)
        let flagged = outcomes.filter { if case .flagged(_, let e) = $0 { return e.code == .mismatchedVote } else { return false } }
        #expect(flagged.count == n / 2)
        // With half the nodes on each block, neither reaches q: the log halts at this height.
        #expect(!outcomes.contains { if case .certified = $0 { return true } else { return false } })
        #expect(sequencer.pending == a)
    }
}
