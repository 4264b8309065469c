import BigInt
import CustosChains
import CustosChainsRPC
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosLedger
import CustosNode
@testable import CustosNodeService
import CustosPolicy
@testable import CustosState
import Foundation
import Logging
import Synchronization
import Testing

/// A node's own receipt checks (`ReceiptChecker`) against scripted endpoints: what it reads it
/// signs and submits; a receipt absent past its block is "none"; one recorded far ahead of the
/// endpoint's head is "none" only while that head is fresh (the 64-block / 120 s rule); an RPC
/// error submits nothing and is tried again; vaults of an environment the node may not hold,
/// and endpoints of another chain, are never read.
@Suite struct ReceiptCheckerTests {
    /// A chain endpoint that answers what the test scripted, counting its receipt reads.
    final class ScriptedChain: ReceiptChainReader {
        struct Script {
            var chainId: UInt64 = 31337
            var receipts: [[UInt8]: EVMReceipt] = [:]
            var head: UInt64 = 100
            var headTime: UInt64 = ReceiptCheckerTests.now
            var failing = false
            var receiptReads = 0
            /// Code by address, and answers by calldata (absent: the call reverts), at any block.
            var code: [EVM.Address: [UInt8]] = [:]
            var answers: [[UInt8]: [UInt8]] = [:]
            /// Calls the endpoint answers with a JSON-RPC error other than a revert (geth's -32000).
            var invalid: Set<[UInt8]> = []
            var blocksRead: [EVMBlockTag] = []
        }
        let script = Mutex(Script())
        let redactedEndpoint = "http://127.0.0.1:1"

        struct Down: Error {}

        func chainID() async throws -> UInt64 { try script.withLock { s in if s.failing { throw Down() }; return s.chainId } }
        func transactionReceipt(_ hash: [UInt8]) async throws -> EVMReceipt? {
            try script.withLock { s in
                s.receiptReads += 1
                if s.failing { throw Down() }
                return s.receipts[hash]
            }
        }
        func blockNumber() async throws -> UInt64 { try script.withLock { s in if s.failing { throw Down() }; return s.head } }
        func blockHeader(_ number: UInt64) async throws -> (hash: [UInt8], timestamp: UInt64)? {
            script.withLock { s in number <= s.head ? (Array(repeating: 0xbb, count: 32), s.headTime) : nil }
        }
        func code(_ address: EVM.Address, block: EVMBlockTag) async throws -> [UInt8] {
            try script.withLock { s in
                if s.failing { throw Down() }
                s.blocksRead.append(block)
                return s.code[address] ?? []
            }
        }
        func call(to: EVM.Address, data: [UInt8], from: EVM.Address?, block: EVMBlockTag) async throws -> [UInt8] {
            try script.withLock { s in
                if s.failing { throw Down() }
                s.blocksRead.append(block)
                if s.invalid.contains(data) {
                    throw EVMRPCError(.rpcError, endpoint: redactedEndpoint, method: "eth_call", reason: "invalid opcode: INVALID", rpcCode: -32000)
                }
                guard let answer = s.answers[data] else {
                    throw EVMRPCError(.rpcError, endpoint: redactedEndpoint, method: "eth_call", reason: "execution reverted", rpcCode: 3)
                }
                return answer
            }
        }
    }

    /// The entries a checker submitted.
    final class Submissions: Sendable {
        let entries = Mutex<[Entry]>([])
        var all: [Entry] { entries.withLock { $0 } }
        var checks: [ReceiptCheckEntry] { get throws { try all.map { try ReceiptCheckEntry($0) } } }
    }

    static let now: UInt64 = 1_800_000_000
    static let genesis = Array(repeating: UInt8(7), count: 32)
    let node = NodeIdentity.generate(id: NodeID("node-1"))

    func makeChecker(_ readers: [DeploymentEnvironment: [String: any ReceiptChainReader]], _ submissions: Submissions,
                     depth: UInt64 = 1, retryAfter: Duration = .zero) -> ReceiptChecker {
        ReceiptChecker(identity: node, readers: readers, submit: { e in submissions.entries.withLock { $0.append(e) } },
                       logger: Logger(label: "test"), depth: depth, retryAfter: retryAfter, now: { Self.now })
    }

    /// The executor's receipt of request `n` (its transaction hash `n` repeated), mined at `block`.
    static func recorded(_ n: UInt8, block: UInt64 = 90) throws -> TransactionReceipt {
        TransactionReceipt(requestId: String(repeating: String(format: "%02x", n), count: 32), transactionHash: Array(repeating: n, count: 32),
                           blockNumber: block, blockHash: Array(repeating: 0xaa, count: 32), succeeded: true, gasUsed: 21_000,
                           effectiveGasPrice: 1_000_000_000,
                           logs: [TransactionReceipt.Log(address: try EVM.Address(hex: "0x" + String(repeating: "11", count: 20)),
                                                         topics: [Array(repeating: 0x22, count: 32)], data: [1, 2, 3])])
    }

    /// What an endpoint holding exactly `r` answers.
    static func onChain(_ r: TransactionReceipt) -> EVMReceipt {
        EVMReceipt(transactionHash: r.transactionHash, blockNumber: r.blockNumber, blockHash: r.blockHash, succeeded: r.succeeded,
                   gasUsed: r.gasUsed, effectiveGasPrice: r.effectiveGasPrice, contractAddress: nil,
                   logs: r.logs.map { EVMReceipt.Log(address: $0.address, topics: $0.topics, data: $0.data) })
    }

    static func due(_ r: TransactionReceipt, chain: String = "ethereum", chainId: UInt64 = 31337,
                    environment: DeploymentEnvironment = .production) -> ReceiptToCheck {
        ReceiptToCheck(requestId: r.requestId, chain: chain, chainId: chainId, environment: environment, recorded: r)
    }

    @Test func itReadsADeploymentsCodeAndViewCallsAtTheBlockItsOwnEndpointMinedItIn() async throws {
        let chain = ScriptedChain()
        let contract = try EVM.Address(hex: "0x" + String(repeating: "33", count: 20))
        let owner = Array(repeating: UInt8(0), count: 12) + Array(repeating: 0x44, count: 20)
        let hash = Array(repeating: UInt8(0x5a), count: 32)
        chain.script.withLock {
            $0.code = [contract: [0x60, 0x00, 0xf3]]
            $0.answers = [EVM.ABI.selector("owner()"): owner]
            $0.invalid = [EVM.ABI.selector("broken()")]
        }
        let submissions = Submissions()
        let checker = makeChecker([.production: ["ethereum": chain]], submissions)
        let id = String(repeating: "0d", count: 32)
        let due = DeploymentToCheck(requestId: id, chain: "ethereum", chainId: 31337, environment: .production, transactionHash: hash, contract: contract,
                                    calls: [EVM.ABI.selector("owner()"), EVM.ABI.selector("admin()"), EVM.ABI.selector("broken()")])
        await checker.adopt([], genesisDigest: Self.genesis)
        await checker.adopt(deployments: [due])
        // Its endpoint has no receipt of the transaction yet: nothing is read at any block the executor named.
        await checker.checkDue()
        #expect(submissions.all.isEmpty && chain.script.withLock { $0.blocksRead }.isEmpty)
        chain.script.withLock {
            $0.receipts = [hash: EVMReceipt(transactionHash: hash, blockNumber: 57, blockHash: Array(repeating: 0x57, count: 32), succeeded: true,
                                            gasUsed: 90_000, effectiveGasPrice: nil, contractAddress: contract, logs: [])]
        }
        let again = makeChecker([.production: ["ethereum": chain]], submissions)
        await again.adopt([], genesisDigest: Self.genesis)
        await again.adopt(deployments: [due])
        await again.checkDue()
        let checks = try submissions.all.map { try DeploymentCheckEntry($0) }
        // admin() reverts and broken() hits an invalid opcode: each read as a failed call, never skipped.
        #expect(checks == [DeploymentCheckEntry(requestId: id, blockNumber: 57, codeHash: Keccak256.hash([0x60, 0x00, 0xf3]),
                                                results: [Keccak256.hash(owner), nil, nil])])
        #expect(chain.script.withLock { $0.blocksRead } == Array(repeating: EVMBlockTag.number(57), count: 4), "at its own receipt's block, never latest")
        #expect(try ReplicatedState.signer(of: try #require(submissions.all.first)) == EntrySigner(role: .member, id: "node-1"))
        // An endpoint that fails submits nothing, and is asked again.
        chain.script.withLock { $0.failing = true }
        let down = Submissions()
        let failing = makeChecker([.production: ["ethereum": chain]], down)
        await failing.adopt([], genesisDigest: Self.genesis)
        await failing.adopt(deployments: [DeploymentToCheck(requestId: id, chain: "ethereum", chainId: 31337, environment: .production,
                                                            transactionHash: hash, contract: contract, calls: [])])
        await failing.checkDue()
        #expect(down.all.isEmpty)
    }

    @Test func itSignsAndSubmitsWhatItReadAgreeingOrNot() async throws {
        let chain = ScriptedChain()
        let same = try Self.recorded(1), other = try Self.recorded(2)
        var tampered = Self.onChain(other)
        tampered.logs = []
        chain.script.withLock { $0.receipts = [same.transactionHash: Self.onChain(same), other.transactionHash: tampered] }
        let submissions = Submissions()
        let checker = makeChecker([.production: ["ethereum": chain]], submissions)
        await checker.adopt([Self.due(same), Self.due(other)], genesisDigest: Self.genesis)
        await checker.checkDue()
        let checks = try submissions.checks
        #expect(checks == [ReceiptCheckEntry(requestId: same.requestId, transactionHash: same.transactionHash, digest: same.digest),
                           ReceiptCheckEntry(requestId: other.requestId, transactionHash: other.transactionHash,
                                             digest: TransactionReceipt(requestId: other.requestId, read: tampered).digest)])
        #expect(checks[1].digest != other.digest, "what it read, not what the executor recorded")
        for entry in submissions.all {
            #expect(try ReplicatedState.signer(of: entry) == EntrySigner(role: .member, id: "node-1"))
        }
        // Submitted: not again while the check is on its way to a block, nor once it committed.
        let slow = makeChecker([.production: ["ethereum": chain]], Submissions(), retryAfter: .seconds(3600))
        await slow.adopt([Self.due(same)], genesisDigest: Self.genesis)
        await slow.checkDue()
        await slow.checkDue()
        #expect(chain.script.withLock { $0.receiptReads } == 3)
        await checker.adopt([], genesisDigest: Self.genesis)
        await checker.checkDue()
        #expect(submissions.all.count == 2)
    }

    @Test func aReceiptAbsentPastItsBlockIsNone() async throws {
        let chain = ScriptedChain()
        let r = try Self.recorded(3, block: 99)
        let submissions = Submissions()
        let checker = makeChecker([.production: ["ethereum": chain]], submissions)
        // The endpoint's head is the receipt's block: it may not have the receipt yet.
        chain.script.withLock { $0.head = 99 }
        await checker.adopt([Self.due(r)], genesisDigest: Self.genesis)
        await checker.checkDue()
        #expect(submissions.all.isEmpty)
        chain.script.withLock { $0.head = 100 }
        await checker.checkDue()
        #expect(try submissions.checks == [ReceiptCheckEntry(requestId: r.requestId, transactionHash: r.transactionHash, digest: nil)])
    }

    /// A receipt recorded far ahead of this endpoint's head: "none" when the head is fresh (a
    /// made-up block number must not keep every node waiting), nothing while the endpoint is
    /// stalled (it must not deny a real receipt), nothing within a plausible lag.
    @Test(arguments: [
        (UInt64(100 + 65), ReceiptCheckerTests.now - 30, true),
        (UInt64(100 + 65), ReceiptCheckerTests.now - 121, false),
        (UInt64(100 + 64), ReceiptCheckerTests.now - 30, false),
        (UInt64(100 + 1), ReceiptCheckerTests.now, false),
        (UInt64.max, ReceiptCheckerTests.now - 120, true),
    ])
    func aReceiptFarAheadOfTheHeadIsNoneOnlyWhileTheHeadIsFresh(block: UInt64, headTime: UInt64, none: Bool) async throws {
        let chain = ScriptedChain()
        chain.script.withLock { $0.headTime = headTime }
        let r = try Self.recorded(4, block: block)
        let submissions = Submissions()
        let checker = makeChecker([.production: ["ethereum": chain]], submissions)
        await checker.adopt([Self.due(r)], genesisDigest: Self.genesis)
        await checker.checkDue()
        #expect(try submissions.checks == (none ? [ReceiptCheckEntry(requestId: r.requestId, transactionHash: r.transactionHash, digest: nil)] : []))
    }

    @Test func anRPCErrorSubmitsNothingAndIsTriedAgain() async throws {
        let chain = ScriptedChain()
        let r = try Self.recorded(5)
        chain.script.withLock { $0.receipts = [r.transactionHash: Self.onChain(r)]; $0.failing = true }
        let submissions = Submissions()
        let checker = makeChecker([.production: ["ethereum": chain]], submissions)
        await checker.adopt([Self.due(r)], genesisDigest: Self.genesis)
        await checker.checkDue()
        await checker.checkDue()
        #expect(submissions.all.isEmpty)
        chain.script.withLock { $0.failing = false }
        await checker.checkDue()
        #expect(try submissions.checks.map(\.digest) == [r.digest])
        // A gateway that refuses the entry: tried again too.
        let refusing = ReceiptChecker(identity: node, readers: [.production: ["ethereum": chain]], submit: { _ in throw ScriptedChain.Down() },
                                      logger: Logger(label: "test"), retryAfter: .zero, now: { Self.now })
        await refusing.adopt([Self.due(r)], genesisDigest: Self.genesis)
        let before = chain.script.withLock { $0.receiptReads }
        await refusing.checkDue()
        await refusing.checkDue()
        #expect(chain.script.withLock { $0.receiptReads } == before + 2)
    }

    @Test func onlyTheVaultsEnvironmentsEndpointOfTheRightChainIsRead() async throws {
        let production = ScriptedChain(), staging = ScriptedChain(), wrongChain = ScriptedChain()
        wrongChain.script.withLock { $0.chainId = 1 }
        let a = try Self.recorded(6), b = try Self.recorded(7), c = try Self.recorded(8)
        for chain in [production, staging, wrongChain] {
            chain.script.withLock { $0.receipts = [a.transactionHash: Self.onChain(a), b.transactionHash: Self.onChain(b), c.transactionHash: Self.onChain(c)] }
        }
        let submissions = Submissions()
        let checker = makeChecker([.production: ["ethereum": production], .staging: ["ethereum": staging, "base": wrongChain]], submissions)
        await checker.adopt([Self.due(a), Self.due(b, environment: .staging), Self.due(c, chain: "base"),
                             Self.due(c, chain: "base", environment: .staging), Self.due(a, chain: "polygon")],
                            genesisDigest: Self.genesis)
        await checker.checkDue()
        #expect(try submissions.checks.map(\.requestId) == [a.requestId, b.requestId])
        #expect(production.script.withLock { $0.receiptReads } == 1 && staging.script.withLock { $0.receiptReads } == 1)
        #expect(wrongChain.script.withLock { $0.receiptReads } == 0, "an endpoint of chain 1 is never read for chain 31337")

        // A production node reads only for production vaults; a development node never for them.
        let endpoints = ChainEndpoints([.init(environment: nil, chain: "ethereum", client: try ChainEndpointsTests.client(1)),
                                        .init(environment: .staging, chain: "base", client: try ChainEndpointsTests.client(2))])
        #expect(ReceiptChecker.readers(environment: .production, endpoints: endpoints).mapValues { $0.keys.sorted() } == [.production: ["ethereum"]])
        #expect(ReceiptChecker.readers(environment: .development, endpoints: endpoints).mapValues { $0.keys.sorted() }
                == [.staging: ["base", "ethereum"], .development: ["ethereum"]])
    }

    /// Review M3: the executor read the receipt in block 90; a reorg moved the same transaction,
    /// with the same effects, to block 91 of another hash, and one endpoint reports no gas price.
    /// Two nodes, one on each side of the reorg, agree with the recorded receipt once it is
    /// `depth` blocks deep at their endpoints, and neither reads it before.
    @Test func twoNodesReadingAReorgedBlockDoNotDisputeOnceItIsDeep() async throws {
        let r = try Self.recorded(9, block: 90)
        var moved = Self.onChain(r)
        moved.blockNumber = 91
        moved.blockHash = Array(repeating: 0xee, count: 32)
        moved.effectiveGasPrice = nil
        let before = ScriptedChain(), after = ScriptedChain()
        before.script.withLock { $0.receipts = [r.transactionHash: Self.onChain(r)]; $0.head = 91 }
        after.script.withLock { $0.receipts = [r.transactionHash: moved]; $0.head = 92 }
        let submissions = Submissions()
        let checkers = [makeChecker([.production: ["ethereum": before]], submissions, depth: 3),
                        makeChecker([.production: ["ethereum": after]], submissions, depth: 3)]
        for checker in checkers {
            await checker.adopt([Self.due(r)], genesisDigest: Self.genesis)
            await checker.checkDue()
        }
        #expect(submissions.all.isEmpty, "two blocks deep is not three")
        before.script.withLock { $0.head = 92 }
        after.script.withLock { $0.head = 93 }
        for checker in checkers { await checker.checkDue() }
        #expect(try submissions.checks.map(\.digest) == [r.digest, r.digest])
        // The digest still tells another outcome apart: gas used, status or a log.
        var other = moved
        other.gasUsed += 1
        #expect(TransactionReceipt(requestId: r.requestId, read: other).digest != r.digest)
        // And "none" waits as long: recorded at 90, the endpoint at 92 has not buried it three deep.
        let empty = ScriptedChain()
        empty.script.withLock { $0.head = 92 }
        let absent = Submissions()
        let checker = makeChecker([.production: ["ethereum": empty]], absent, depth: 3)
        await checker.adopt([Self.due(r)], genesisDigest: Self.genesis)
        await checker.checkDue()
        #expect(absent.all.isEmpty)
        empty.script.withLock { $0.head = 93 }
        await checker.checkDue()
        #expect(try absent.checks.map(\.digest) == [nil])
    }
}
