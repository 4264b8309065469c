import Crypto
import CustosClusterAPI
import CustosCore
import CustosGateway
import CustosLedger
import CustosTestSupport
import Foundation
import Logging
import Testing

/// The gateway's stores, SQLite and PostgreSQL, through the same tests: sequencer writes are
/// compare-and-swap, so gateways sharing one database (two handles, as two processes would have)
/// never store two proposals at one height nor lose a committed block; a gateway that loses the
/// race serves the stored proposal; committed blocks list in order.
@Suite(.exclusiveProcesses, .timeLimit(.minutes(3)))
struct GatewayStoreTests {
    static let genesis = try! TestGenesis()
    let identities: [NodeIdentity] = (1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init(), transportKey: .init()) }
    var configuration: ClusterConfiguration {
        get throws { try Self.genesis.configuration(identities, genesisTimestamp: 1_000) }
    }

    func gateway(_ store: any GatewayStore, _ configuration: ClusterConfiguration, clock: UInt64) async throws -> Gateway {
        try await Gateway(configuration: configuration, store: store, logger: Logger(label: "test"), clock: { clock })
    }

    func votes(for block: Block, _ configuration: ClusterConfiguration, count: Int = 3) -> [Vote] {
        identities.prefix(count).map { Vote(signing: block, genesisDigest: configuration.genesisDigest, identity: $0) }
    }

    func certify(_ block: Block, at gateway: Gateway, _ configuration: ClusterConfiguration) async throws -> CertifiedBlock? {
        var certified: CertifiedBlock?
        for vote in votes(for: block, configuration) {
            if case let .certified(c) = try await gateway.receive(vote) { certified = c }
        }
        return certified
    }

    @Test(arguments: StoreBackend.allCases)
    func aGatewayThatLosesTheRaceServesTheStoredProposal(backend: StoreBackend) async throws {
        try await SharedDatabase.with(backend) { database in
            let configuration = try self.configuration
            let first = try await gateway(try await database.open(), configuration, clock: 2_000)
            let second = try await gateway(try await database.open(), configuration, clock: 2_500)

            _ = try await first.submit(try TestNote.entry("1"))
            let stored = try #require(try await first.nextProposal(after: 0))
            // `second` still believes nothing is in flight; its own proposal (with entry 2) loses.
            _ = try await second.submit(try TestNote.entry("2"))
            let served = try #require(try await second.nextProposal(after: 0))
            #expect(served == stored, "two different proposals at height 1")
            #expect(try await second.health().queuedEntries == 1, "the losing proposal consumed queued entries")

            // Votes collected by `second` commit the block; `first`, stale, certifies it too and
            // reports the stored certificate without overwriting anything.
            let committed = try #require(try await certify(served, at: second, configuration))
            let again = try #require(try await certify(stored, at: first, configuration))
            #expect(again.block == committed.block)
            let blocks = try await database.open().committedBlocks(from: 1, limit: 10)
            #expect(blocks.map(\.block) == [stored])
            try blocks.first?.verify(in: configuration)

            // Height 2: `first` proposes entry 2; `second`, with nothing queued, adopts and serves it.
            let next = try #require(try await first.nextProposal(after: 1))
            let entry2 = try TestNote.entry("2")
            #expect(next.height == 2 && next.entries == [entry2])
            #expect(try await second.nextProposal(after: 1) == next)
            #expect(try await second.health().pendingHeight == 2)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func racingGatewaysStoreOneProposalPerHeightAndLoseNoCommittedBlock(backend: StoreBackend) async throws {
        try await SharedDatabase.with(backend) { database in
            let configuration = try self.configuration
            let gateways = [try await gateway(try await database.open(), configuration, clock: 2_000),
                            try await gateway(try await database.open(), configuration, clock: 3_000)]
            var submitted: [[UInt8]] = []
            var chain: [Block] = []
            for height in UInt64(0)..<6 {
                // Both gateways take an entry and are asked for the next block at once.
                for (index, gateway) in gateways.enumerated() {
                    let entry = try TestNote.entry("\(height)-\(index)")
                    submitted.append(entry.payload)
                    _ = try await gateway.submit(entry)
                }
                async let a = gateways[0].nextProposal(after: height)
                async let b = gateways[1].nextProposal(after: height)
                let (first, second) = (try await a, try await b)
                let proposal = try #require(first, "no proposal at height \(height + 1)")
                #expect(second == proposal, "two gateways served different blocks at height \(height + 1)")
                // Both gateways collect the votes at once; one certificate is stored.
                async let x = certify(proposal, at: gateways[0], configuration)
                async let y = certify(proposal, at: gateways[1], configuration)
                let (c0, c1) = (try await x, try await y)
                #expect(c0?.block == proposal && c1?.block == proposal)
                chain.append(proposal)
            }
            let store = try await database.open()
            let blocks = try await store.committedBlocks(from: 1, limit: 100)
            #expect(blocks.map(\.block) == chain)
            var previous = configuration.genesisDigest
            for (offset, certified) in blocks.enumerated() {
                #expect(certified.block.height == UInt64(offset + 1) && certified.block.previousHash == previous)
                try certified.verify(in: configuration)
                previous = certified.block.hash
            }
            // Every entry is in exactly one block or still queued.
            let carried = blocks.flatMap { $0.block.entries.map(\.payload) } + (try await store.queued(limit: 100)).map(\.entry.payload)
            #expect(carried.sorted { $0.lexicographicallyPrecedes($1) } == submitted.sorted { $0.lexicographicallyPrecedes($1) })
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func sequencerWritesAreCompareAndSwap(backend: StoreBackend) async throws {
        try await SharedDatabase.with(backend) { database in
            let configuration = try self.configuration
            let store = try await database.open()
            let genesis = SequencerState.genesis(configuration)
            func proposing(_ payload: UInt8, over state: SequencerState) throws -> (SequencerState, Block) {
                var sequencer = try Sequencer(configuration: configuration, state: state)
                guard case let .persistProposalThenSend(block) = try sequencer.propose(entries: [try Entry(kind: "k", payload: [payload])], now: 2_000)
                else { throw TestEnvironmentError("no proposal") }
                return (sequencer.state, block)
            }
            let (stateA, blockA) = try proposing(1, over: genesis)
            let (stateB, blockB) = try proposing(2, over: genesis)
            #expect(try await store.storeProposal(stateA, consumed: []) == .stored)
            #expect(try await store.storeProposal(stateB, consumed: []) == .conflict(stored: stateA))

            // A certificate for the block that lost is refused; the stored one commits once.
            var losing = try Sequencer(configuration: configuration, state: stateB)
            var outcomeB: VoteOutcome?
            for vote in votes(for: blockB, configuration) { outcomeB = losing.receive(vote) }
            guard case let .certified(certifiedB)? = outcomeB else { Issue.record("no certificate for B"); return }
            #expect(try await store.storeCommitted(certifiedB, state: losing.state) == .conflict(stored: stateA))
            var winning = try Sequencer(configuration: configuration, state: stateA)
            var outcomeA: VoteOutcome?
            for vote in votes(for: blockA, configuration) { outcomeA = winning.receive(vote) }
            guard case let .certified(certifiedA)? = outcomeA else { Issue.record("no certificate for A"); return }
            #expect(try await store.storeCommitted(certifiedA, state: winning.state) == .stored)
            #expect(try await store.storeCommitted(certifiedA, state: winning.state) == .conflict(stored: winning.state))
            // A stale gateway cannot take the head back to genesis with a proposal at height 1.
            #expect(try await store.storeProposal(stateB, consumed: []) == .conflict(stored: winning.state))
            #expect(try await store.sequencerState() == winning.state)
            #expect(try await store.committedBlock(height: 1) == certifiedA)
            #expect(try await store.committedBlock(height: 2) == nil)
            #expect(try await store.committedBlock(height: UInt64.max) == nil)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aProposalCarryingEntriesAnotherProposalTookIsRefused(backend: StoreBackend) async throws {
        try await SharedDatabase.with(backend) { database in
            let configuration = try self.configuration
            let store = try await database.open()
            let id = try await store.enqueue(try Entry(kind: "k", payload: [7], authorization: [9, 9]))
            let queued = try await store.queued(limit: 10)
            #expect(queued == [QueuedEntry(id: id, entry: try Entry(kind: "k", payload: [7], authorization: [9, 9]))])
            var sequencer = try Sequencer(configuration: configuration, state: .genesis(configuration))
            _ = try sequencer.propose(entries: queued.map(\.entry), now: 2_000)
            // The entry is gone (as if another gateway's proposal had carried it): nothing is
            // written, and with no sequencer state stored there is none to adopt: an inconsistency.
            await #expect(throws: GatewayStoreError(.inconsistent, "")) {
                _ = try await store.storeProposal(sequencer.state, consumed: [id, id + 1000])
            }
            #expect(try await store.sequencerState() == nil)
            #expect(try await store.queuedCount() == 1)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func committedBlocksListInAscendingOrder(backend: StoreBackend) async throws {
        try await SharedDatabase.with(backend) { database in
            let configuration = try self.configuration
            let gateway = try await gateway(try await database.open(), configuration, clock: 2_000)
            var chain: [Block] = []
            for height in UInt64(0)..<4 {
                _ = try await gateway.submit(try TestNote.entry("\(height)"))
                let block = try #require(try await gateway.nextProposal(after: height))
                _ = try #require(try await certify(block, at: gateway, configuration))
                chain.append(block)
            }
            let store = try await database.open()
            #expect(try await store.committedBlocks(from: 1, limit: 100).map(\.block) == chain)
            #expect(try await store.committedBlocks(from: 2, limit: 2).map(\.block) == Array(chain[1...2]))
            #expect(try await store.committedBlocks(from: 4, limit: 5).map(\.block) == [chain[3]])
            #expect(try await store.committedBlocks(from: 5, limit: 5).isEmpty)
            #expect(try await store.committedBlocks(from: 1, limit: 0).isEmpty)
            #expect(try await store.committedBlocks(from: 1, limit: -1).isEmpty)
            #expect(try await store.committedBlocks(from: UInt64.max, limit: 1).isEmpty)
        }
    }

    /// Relay writes commit without waiting for the disk, and only they: after a post and an
    /// inbox poll the writer is back at synchronous = FULL for the queue and the sequencer.
    @Test func relayWritesLeaveTheOtherWritesSynced() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("custos-relay-sync-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try SQLiteGatewayStore(path: path)
        #expect(try await store.writerSynchronous() == 2)
        let message = RelayMessage(sessionID: [1], round: 1, sender: "node-1", recipient: "node-2", envelope: [1, 2, 3], created: 1, expires: 10_000)
        #expect(try await store.storeRelayMessages([message], limits: RelayLimits(), now: 1) == .stored)
        #expect(try await store.writerSynchronous() == 2)
        let inbox = try await store.relayInbox(of: "node-2", after: 0, now: 2, limit: 10)
        #expect(inbox.map(\.message) == [message])
        #expect(try await store.relayInbox(of: "node-2", after: inbox[0].cursor, now: 3, limit: 10).isEmpty)
        #expect(try await store.writerSynchronous() == 2)
        _ = try await store.enqueue([try TestNote.entry("1")])
        #expect(try await store.writerSynchronous() == 2)
    }
}

/// PostgreSQL only: versioned migrations, errors that name the database and never a password,
/// and the database URL's hostile forms.
@Suite(.exclusiveProcesses, .timeLimit(.minutes(3)))
struct PostgresGatewayStoreTests {
    @Test func migrationsAreRecordedOnceAndANewerSchemaIsRefused() async throws {
        try await SharedDatabase.with(.postgres) { database in
            let server = try #require(database.server)
            _ = try await database.open()
            _ = try await database.open()
            #expect(try await server.psql("SELECT name FROM custos_gateway_migration ORDER BY name", database: "gateway")
                == "v1: queue, sequencer state, blocks\nv2: committed entries by digest\nv3: relay messages\n")
            try await server.psql("INSERT INTO custos_gateway_migration (name) VALUES ('v99: from the future')", database: "gateway")
            let refused = await #expect(throws: GatewayStoreError(.unknownSchema, "")) { _ = try await database.open() }
            #expect(refused?.reason.contains("v99: from the future") == true)
        }
    }

    @Test func aServerThatCannotBeReachedIsNamedWithoutThePassword() async throws {
        let location = PostgresLocation(host: "127.0.0.1", port: 1, username: "custos", database: "gateway")
        do {
            _ = try await PostgresGatewayStore(location: location, password: "hunter2-do-not-print", logger: Logger(label: "test"))
            Issue.record("connected to nothing")
        } catch {
            #expect("\(error)".contains("cannot connect to PostgreSQL at postgres://custos@127.0.0.1:1/gateway"))
            #expect(!"\(error)".contains("hunter2"))
        }
    }

    @Test func aWrongPasswordIsRefusedAndNotPrinted() async throws {
        try await SharedDatabase.with(.postgres) { database in
            let server = try #require(database.server)
            try await server.requirePassword(role: "gw", password: "right-horse-battery", database: "gateway")
            let location = PostgresLocation(host: "127.0.0.1", port: server.port, username: "gw", database: "gateway")
            do {
                _ = try await PostgresGatewayStore(location: location, password: "wrong-horse-battery", logger: Logger(label: "test"))
                Issue.record("a wrong password was accepted")
            } catch {
                #expect("\(error)".contains("password authentication failed"))
                #expect(!"\(error)".contains("horse"))
            }
            let store = try await PostgresGatewayStore(location: location, password: "right-horse-battery", logger: Logger(label: "test"))
            #expect(try await store.queuedCount() == 0)
            await store.close()
        }
    }

    @Test func databaseURLs() throws {
        let good = try PostgresLocation(url: "postgres://custos@127.0.0.1:5433/gateway")
        #expect(good == PostgresLocation(host: "127.0.0.1", port: 5433, username: "custos", database: "gateway"))
        #expect(good.description == "postgres://custos@127.0.0.1:5433/gateway")
        #expect(try PostgresLocation(url: "postgresql://u@db.internal/g").port == 5432)

        let bad: [(url: String, says: String)] = [
            ("postgres://custos:s3cret-pw@127.0.0.1:5432/gateway", "carries a password"),
            ("postgres://custos:@127.0.0.1:5432/gateway", "carries a password"),
            ("mysql://custos@127.0.0.1/gateway", "scheme"),
            ("postgres://127.0.0.1:5432/gateway", "no user"),
            ("postgres://custos@:5432/gateway", "no host"),
            ("postgres://custos@127.0.0.1:5432", "no database"),
            ("postgres://custos@127.0.0.1:5432/", "no database"),
            ("postgres://custos@127.0.0.1:5432/a/b", "no database"),
            ("postgres://custos@127.0.0.1:5432/gateway?sslmode=disable&password=s3cret-pw", "parameters"),
            ("postgres://custos@127.0.0.1:99999/gateway", "port"),
            ("not a url at all", "expected postgres://"),
            ("", "expected postgres://"),
        ]
        for (url, says) in bad {
            do {
                _ = try PostgresLocation(url: url)
                Issue.record("accepted \(url)")
            } catch {
                #expect(error.description.contains(says), "\(url): \(error)")
                #expect(!error.description.contains("s3cret"), "\(url): the error shows the password")
            }
        }
    }

    /// `custos gateway` refuses a bad database option with a one-line error and exit code 1.
    @Test func theGatewayCommandNamesWhatIsWrongWithTheDatabase() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-gw-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let identities = (1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init(), transportKey: .init()) }
        let cluster = folder.appendingPathComponent("cluster.json")
        try JSONEncoder().encode(ClusterFile(name: "cli", genesisTimestamp: 1_000, members: identities.map {
            ClusterFile.MemberKey(try! $0.member())
        })).write(to: cluster)
        let base = ["gateway", "--data", folder.path, "--cluster", cluster.path, "--port", "0"]
        let cases: [(arguments: [String], says: String)] = [
            (["--database", "postgres://custos:s3cret-pw@127.0.0.1:5432/gateway"], "carries a password"),
            (["--database", "postgres://custos@127.0.0.1:1/gateway"], "cannot connect to PostgreSQL at postgres://custos@127.0.0.1:1/gateway"),
            (["--database", "postgres://custos@127.0.0.1:1/gateway", "--database-password-file", folder.appendingPathComponent("missing").path],
             "cannot read the database password file"),
            (["--database-password-file", cluster.path], "SQLite takes no password"),
        ]
        for (arguments, says) in cases {
            let outcome = try await CustosExecutable.run(base + arguments)
            #expect(outcome.status == 1, "\(arguments)")
            #expect(outcome.stderr.contains(says), "\(arguments): \(outcome.stderr)")
            #expect(!outcome.stderr.contains("s3cret"))
            #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
        }
    }
}
