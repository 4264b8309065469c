import Crypto
import CustosClusterAPI
import CustosGateway
import CustosIdentity
import CustosLedger
import CustosState
import Foundation
import Logging
import Testing

/// The gateway's long polls, in process: a parked request is woken by the change it waits for
/// (an entry queued, a block certified, an entry committed), released by cancellation and by
/// shutdown, and never left parked; the committed-entry index is durable. The only time bound
/// checked is that a woken request did not sit out its whole wait (15 minutes here, so that a
/// starved test process cannot run it out).
struct GatewayLongPollTests {
    static let genesis = try! TestGenesis()
    let identities: [NodeIdentity] = (1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init(), transportKey: .init()) }
    var configuration: ClusterConfiguration {
        get throws { try Self.genesis.configuration(identities, genesisTimestamp: 1_000) }
    }

    func makeGateway(path: String? = nil) async throws -> Gateway {
        let store = try path.map { try SQLiteGatewayStore(path: $0) } ?? SQLiteGatewayStore.inMemory()
        return try await Gateway(configuration: try configuration, store: store, logger: Logger(label: "test"), clock: { 2_000 },
                                 longestWait: Self.longWait)
    }

    /// How long the parked requests of these tests wait: far longer than a loaded 2-core machine
    /// has starved a test process (over 20 s has been seen).
    static let longWait: Duration = .seconds(900)

    /// Waits (bounded: 300 s of wall-clock time, well under `longWait`) until `count` requests
    /// are parked.
    func parked(_ gateway: Gateway, _ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(300)
        while await gateway.waitingRequests != count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(await gateway.waitingRequests == count)
    }

    @Test func aParkedProposalRequestIsWokenByASubmittedEntry() async throws {
        let gateway = try await makeGateway()
        let waiting = Task { try await gateway.nextProposal(after: 0, node: nil, wait: Self.longWait) }
        try await parked(gateway, 1)
        let receipt = try await gateway.submit(try TestNote.entry("1"))
        // Woken by the submission: released long before its wait would end (a request that sat
        // out its wait would still be parked when this gives up).
        try await parked(gateway, 0)
        let block = try #require(try await waiting.value)
        #expect(block.height == 1 && block.entries.map(\.digest) == [receipt.entryDigest])
        #expect(await gateway.waitingRequests == 0)
        // A node behind the gateway's head is answered at once (it must catch up first).
        #expect(try await gateway.nextProposal(after: 5, node: nil, wait: .seconds(25)) == nil)
    }

    @Test func blockAndEntryWaitersAreWokenByTheCertificateAndTheIndexIsDurable() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("custos-longpoll-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let configuration = try self.configuration
        let gateway = try await makeGateway(path: path)
        let receipts = [try await gateway.submit(try TestNote.entry("1")),
                        try await gateway.submit(try TestNote.entry("2"))]
        #expect(receipts[0].entryDigest != receipts[1].entryDigest)
        let block = try #require(try await gateway.nextProposal(after: 0))
        let blockWaiter = Task { try await gateway.committedBlock(height: 1, wait: Self.longWait) }
        let entryWaiter = Task { try await gateway.committedEntry(receipts[1].entryDigest!, wait: Self.longWait) }
        try await parked(gateway, 2)
        #expect(try await gateway.committedEntry(receipts[0].entryDigest!) == nil)
        for identity in identities.prefix(3) {
            _ = try await gateway.receive(Vote(signing: block, genesisDigest: configuration.genesisDigest, identity: identity))
        }
        #expect(try await blockWaiter.value?.block == block)
        #expect(try await entryWaiter.value == CommittedEntry(height: 1, index: 1))
        #expect(await gateway.waitingRequests == 0)

        let reopened = try await makeGateway(path: path)
        #expect(try await reopened.committedEntry(receipts[0].entryDigest!) == CommittedEntry(height: 1, index: 0))
        #expect(try await reopened.committedEntry(try TestNote.entry("3").digest) == nil)
    }

    /// A voter waiting with its vote for the certificate is woken when the block is certified and
    /// gets the certificate of that block; a vote for another block at that height (one the
    /// gateway never proposed, as if it had equivocated) gets none, so that voter fetches what
    /// was certified instead.
    @Test func aVoterWaitingForItsCertificateGetsItOnceTheBlockIsCertified() async throws {
        let configuration = try self.configuration
        let gateway = try await makeGateway()
        _ = try await gateway.submit(try TestNote.entry("1"))
        let block = try #require(try await gateway.nextProposal(after: 0))
        let votes = identities.map { Vote(signing: block, genesisDigest: configuration.genesisDigest, identity: $0) }
        _ = try await gateway.receive(votes[0])
        let waiter = Task { try await gateway.certificate(for: votes[0], wait: Self.longWait) }
        try await parked(gateway, 1)
        for vote in votes[1...2] { _ = try await gateway.receive(vote) }
        let certificate = try #require(try await waiter.value)
        try certificate.verify(for: block, in: configuration)
        #expect(await gateway.waitingRequests == 0)

        let other = try Block(height: 1, previousHash: block.previousHash, timestamp: block.timestamp, entries: [try TestNote.entry("2")])
        let otherVote = Vote(signing: other, genesisDigest: configuration.genesisDigest, identity: identities[3])
        #expect(try await gateway.certificate(for: otherVote, wait: Self.longWait) == nil)
    }

    @Test func cancellationAndShutdownReleaseParkedRequests() async throws {
        let gateway = try await makeGateway()
        let cancelled = Task { try await gateway.committedBlock(height: 7, wait: Self.longWait) }
        try await parked(gateway, 1)
        cancelled.cancel()
        #expect(try await cancelled.value == nil)
        #expect(await gateway.waitingRequests == 0)

        let waiting = [Task { try await gateway.committedBlock(height: 1, wait: Self.longWait) },
                       Task { try await gateway.committedBlock(height: 2, wait: Self.longWait) }]
        let proposal = Task { try await gateway.nextProposal(after: 0, node: nil, wait: Self.longWait) }
        try await parked(gateway, 3)
        await gateway.shutdown()
        for task in waiting { #expect(try await task.value == nil) }
        #expect(try await proposal.value == nil)
        #expect(await gateway.waitingRequests == 0)
        // After shutdown nothing parks: a wait returns at once.
        #expect(try await gateway.committedBlock(height: 1, wait: .seconds(25)) == nil)
        #expect(await gateway.waitingRequests == 0)
    }

    @Test func aShortWaitEndsEmpty() async throws {
        let gateway = try await makeGateway()
        #expect(try await gateway.committedBlock(height: 1, wait: .milliseconds(50)) == nil)
        #expect(try await gateway.committedEntry(try TestNote.entry("never").digest, wait: .milliseconds(50)) == nil)
        #expect(await gateway.waitingRequests == 0)
    }
}

extension GatewayLongPollTests {
    /// A queue of entries at their size limits is cut at a block's byte limit: the proposal
    /// carries what fits, the rest waits for the next block, and nothing is lost or refused. The
    /// largest entries are policy proposals near their kind's bound (frank's, signed; they name
    /// another policy than the one in force, which the state refuses and records).
    @Test func aQueueLargerThanABlockIsCarriedOverSeveralBlocks() async throws {
        let gateway = try await makeGateway()
        let configuration = try self.configuration
        var frank = try #require(Self.genesis.authenticators["frank"])
        let big = { (i: Int) throws -> Entry in
            let yaml = String(repeating: "\(i % 10)", count: 200 * 1024)
            let p = GovernanceProposal(id: "big-\(i)", proposer: "frank", change: .changePolicy(yaml: yaml, replaces: [UInt8](repeating: 7, count: 32)))
            let assertion = frank.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: p.challenge(.propose, genesisDigest: Self.genesis.document.digest))
            return try GovernanceEntry.propose(p, assertion: assertion).entry()
        }
        var receipts: [EntryReceipt] = []
        for i in 0..<24 { receipts.append(try await gateway.submit(try big(i))) }
        var carried: [LedgerHash] = []
        var height: UInt64 = 0
        while carried.count < receipts.count, height < 10 {
            let block = try #require(try await gateway.nextProposal(after: height))
            #expect(block.serialized.count <= Block.maximumEncodedBytes)
            carried += block.entries.map(\.digest)
            for identity in identities.prefix(3) {
                _ = try await gateway.receive(Vote(signing: block, genesisDigest: configuration.genesisDigest, identity: identity))
            }
            height = block.height
        }
        #expect(height > 1, "twenty-four 200 KiB entries do not fit in one 4 MiB block")
        #expect(carried == receipts.compactMap(\.entryDigest))
    }
}
