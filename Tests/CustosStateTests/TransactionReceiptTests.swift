import BigInt
import Crypto
import CustosChains
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosNode
import CustosPolicy
import CustosSigning
@testable import CustosState
import Testing

/// Receipts (issue #11 item 7, first half): an executor bot records the receipt of a broadcast
/// transaction in a signed `request.receipt` entry; every node keeps it only for the hash of the
/// raw transaction the plan signed, and marks the plan `mined` or `mined-reverted` (and the
/// other transaction at a cancelled nonce `not-mined`).
@Suite struct TransactionReceiptTests {
    let ecdsa = ECDSASigningTests()
    let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
    let executor = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())

    /// A cluster with one allowed 1.5 ETH transfer signed by the vault at nonce 0; its id.
    func signed(_ body: JSONValue = Cluster.evmTransfer(), policy: String? = nil, gasLimit: UInt64 = 21_000) throws -> (Cluster, String) {
        var c = try ecdsa.ceremony.cluster()
        let keys = try ecdsa.ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        try c.prepareTransactions(bot: bot, executor: executor)
        if let policy { try c.govern(.changePolicy(yaml: policy)) }
        guard case .requestDecided(let id, .allow) = try c.submit(c.signed(body, keyId: "risk-bot", key: bot)) else {
            throw FROSTSigningTests.TestFailure("the request was not allowed")
        }
        #expect(c.apply(try c.parameters(id, nonce: 0, gasLimit: gasLimit, key: executor)) == .transactionParameters(requestId: id, nonce: 0))
        var s = ECDSASigningTests.Setup(c: c, keys: keys, request: id)
        for n in ecdsa.nodes { s.databases[n.id] = try NodeDatabase.inMemory() }
        try ecdsa.confirm(&s, batch: 0, try ecdsa.presign(&s, batch: 0))
        let session = try #require(s.c.state.signing[id])
        let (inbox, made) = try ecdsa.shares(s)
        let aggregator = session.signers[0]
        guard case .signature(let signature) = try ECDSASigningRound.aggregate(s.c.state, request: id, shares: try ecdsa.plain(inbox[aggregator]!),
                                                                              publicData: made[aggregator]!.publicData)
        else { throw FROSTSigningTests.TestFailure("no signature") }
        #expect(try ecdsa.ceremony.submit(&s.c, .signature(vault: "hot", epoch: 0, request: id, signature: signature),
                                          by: ecdsa.ceremony.node(aggregator)) == .signed(requestId: id))
        #expect(s.c.state.transactions[id]?.status == .signed)
        return (s.c, id)
    }

    /// A receipt of `hash` for `request` in block 107 (the simulation ran at 100), with one log
    /// of an event verification does not read, or `logs`.
    static func receipt(_ request: String, hash: [UInt8], succeeded: Bool = true, block: UInt64 = 107, gasUsed: UInt64 = 21_000,
                        price: BigUInt = 2_000_000_000, logs: [TransactionReceipt.Log]? = nil) throws -> TransactionReceipt {
        let log = TransactionReceipt.Log(address: try EVM.Address(hex: Cluster.usdc), topics: [Array(repeating: 1, count: 32)], data: [0, 1])
        return TransactionReceipt(requestId: request, transactionHash: hash, blockNumber: block, blockHash: Array(repeating: 0xcd, count: 32),
                                  succeeded: succeeded, gasUsed: gasUsed, effectiveGasPrice: price, logs: logs ?? [log])
    }

    func entry(_ r: TransactionReceipt, in c: Cluster, executor name: String = "executor-bot", key: BotSigningKey? = nil) throws -> Entry {
        try TransactionReceiptEntry(r, executor: name, key: key ?? executor, genesisDigest: c.state.genesisDigest).entry()
    }

    @Test func onlyTheExecutorsReceiptOfTheSignedTransactionIsKept() throws {
        var (c, id) = try signed()
        let hash = try #require(c.state.transactions[id]?.transactionHash)
        let stranger = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        let refusals: [(Entry, String)] = [
            (try entry(try Self.receipt(id, hash: hash), in: c, executor: "risk-bot", key: bot), "does not hold the executor role"),
            (try entry(try Self.receipt(id, hash: hash), in: c, key: stranger), "the signature of bot executor-bot over the receipt does not verify"),
            // A gateway or executor claiming another transaction mined for this request.
            (try entry(try Self.receipt(id, hash: Array(repeating: 0x42, count: 32)), in: c), "is not the one request \(id) signed"),
            (try entry(try Self.receipt(String(repeating: "ab", count: 32), hash: hash), in: c), "no transaction is planned"),
        ]
        for (e, reason) in refusals {
            var other = c.state
            let outcome = c.apply(e)
            #expect(Cluster.reason(outcome).contains(reason), "\(Cluster.reason(outcome))")
            #expect(other.apply(e, blockTime: c.now) == outcome && other.digest == c.state.digest)
        }
        #expect(c.state.transactions[id]?.status == .signed && c.state.transactions[id]?.receipt == nil)
        let good = try Self.receipt(id, hash: hash)
        #expect(c.apply(try entry(good, in: c)) == .mined(requestId: id, succeeded: true))
        let plan = try #require(c.state.transactions[id])
        #expect(plan.status == .mined && plan.receipt == good && plan.receiptAt == c.now)
        #expect(plan.mismatches.isEmpty, "an ether transfer carries its value and recipient itself: \(plan.mismatches)")
        #expect(c.state.windows.counts(id), "a mined transfer keeps counting")
        #expect(Cluster.reason(c.apply(try entry(try Self.receipt(id, hash: hash, succeeded: false), in: c))).contains("already has a receipt"))
    }

    @Test func aReceiptOfATransactionNotYetSignedOrWithAForgedLogsDigestIsRefused() throws {
        var c = try ecdsa.ceremony.cluster()
        _ = try ecdsa.ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        try c.prepareTransactions(bot: bot, executor: executor)
        guard case .requestDecided(let id, .allow) = try c.submit(c.signed(Cluster.evmTransfer(), keyId: "risk-bot", key: bot)) else {
            Issue.record("not allowed"); return
        }
        #expect(Cluster.reason(c.apply(try entry(try Self.receipt(id, hash: Array(repeating: 1, count: 32)), in: c)))
            .contains("has no signed transaction to be mined (it is awaiting-parameters)"))
        // The logs digest the entry names must be its logs' own: a receipt cannot carry one set
        // of logs and vouch for another.
        let r = try Self.receipt(id, hash: Array(repeating: 1, count: 32))
        let payload = TransactionReceiptEntry.payload(r, executor: "executor-bot", logsDigest: Array(repeating: 0, count: 32))
        let forged = try Entry(kind: TransactionReceiptEntry.kind, payload: payload,
                               authorization: executor.signature(for: TransactionReceiptEntry.signingInput(payload: payload, genesisDigest: c.state.genesisDigest)))
        #expect(ReplicatedState.malformation(of: forged)?.reason.contains("the logs digest is not the digest of the logs carried") == true)
        // A receipt carries the first 16 logs of its count, no fewer; a cut log's data is exactly
        // 512 bytes of a longer whole with its digest.
        let many = TransactionReceipt(requestId: id, transactionHash: r.transactionHash, blockNumber: 1, blockHash: r.blockHash, succeeded: true,
                                      gasUsed: 1, effectiveGasPrice: 1, logCount: 40, carried: Array(repeating: r.logs[0], count: 15))
        #expect(ReplicatedState.malformation(of: try entry(many, in: c))?.reason.contains("a receipt of 40 logs carries the first 16, not 15") == true)
        let cut = TransactionReceipt.Log(address: r.logs[0].address, topics: [], data: Array(repeating: 1, count: 100), dataLength: 600,
                                         dataDigest: Array(repeating: 2, count: 32))
        let short = TransactionReceipt(requestId: id, transactionHash: r.transactionHash, blockNumber: 1, blockHash: r.blockHash, succeeded: true,
                                       gasUsed: 1, effectiveGasPrice: 1, logCount: 1, carried: [cut])
        #expect(ReplicatedState.malformation(of: try entry(short, in: c))?.reason.contains("log 0 carries 100 of 600 data bytes") == true)
    }

    /// Review M4: an executor cannot keep a receipt out of the log by its size. The largest one
    /// (16 logs of 4 topics and cut data, of a transaction that emitted thousands) fits the
    /// entry bound and decodes to itself; its logs' count and cut data are in its digest.
    @Test func theLargestReceiptFitsItsEntryAndDecodesToItself() throws {
        let c = try ecdsa.ceremony.cluster()
        let log = TransactionReceipt.Log(address: try EVM.Address(hex: Cluster.usdc), topics: Array(repeating: Array(repeating: 0xee, count: 32), count: 4),
                                         fullData: Array(repeating: 0x5a, count: 600))
        let r = TransactionReceipt(requestId: String(repeating: "ab", count: 32), transactionHash: Array(repeating: 1, count: 32), blockNumber: .max,
                                   blockHash: Array(repeating: 2, count: 32), succeeded: true, gasUsed: .max, effectiveGasPrice: BigUInt(2).power(256) - 1,
                                   logs: Array(repeating: log, count: 3000))
        let e = try entry(r, in: c, executor: String(repeating: "x", count: 128))
        #expect(e.payload.count + e.authorization.count + e.kind.utf8.count <= TransactionReceiptEntry.maximumBytes)
        #expect(ReplicatedState.malformation(of: e) == nil)
        #expect(try TransactionReceiptEntry(e).receipt == r)
        #expect(r.logCount == 3000 && r.logs.count == 16 && r.logs[0].dataLength == 600 && r.logs[0].data.count == 512)
        let fewer = TransactionReceipt(requestId: r.requestId, transactionHash: r.transactionHash, blockNumber: r.blockNumber, blockHash: r.blockHash,
                                       succeeded: true, gasUsed: r.gasUsed, effectiveGasPrice: r.effectiveGasPrice, logs: Array(repeating: log, count: 2999))
        #expect(fewer.logsDigest != r.logsDigest)
    }

    /// Review: a receipt that provably lies about its transaction is refused by every node: more
    /// gas used than its gas limit, a higher price than its maximum fee. A block below the one its
    /// simulation ran at is not refused: the simulation's block is the executor's word as well
    /// (review helper-97 M2), and a made-up one must not shut out every honest receipt.
    @Test func aProvablyFalseReceiptIsRefused() throws {
        var (c, id) = try signed()
        let hash = try #require(c.state.transactions[id]?.transactionHash)
        let refusals: [(TransactionReceipt, String)] = [
            (try Self.receipt(id, hash: hash, gasUsed: 21_001), "21001 gas used, above the transaction's gas limit of 21000"),
            (try Self.receipt(id, hash: hash, price: 50_000_000_001), "an effective gas price of 50000000001 wei, above the transaction's maximum fee of 50000000000"),
        ]
        for (r, reason) in refusals {
            var other = c.state
            let outcome = c.apply(try entry(r, in: c))
            #expect(Cluster.reason(outcome).contains(reason), "\(Cluster.reason(outcome))")
            #expect(other.apply(try entry(r, in: c), blockTime: c.now) == outcome && other.digest == c.state.digest)
        }
        #expect(c.state.transactions[id]?.receipt == nil)
        #expect(c.apply(try entry(try Self.receipt(id, hash: hash, block: 99, price: 50_000_000_000), in: c)) == .mined(requestId: id, succeeded: true))
    }

    /// Review M4: a transaction that emitted more logs than a receipt carries is recorded, with
    /// a `too-many-logs` mismatch, rather than never recorded.
    @Test func aReceiptOfTooManyLogsIsRecordedAsAMismatch() throws {
        var (c, id) = try signed()
        let hash = try #require(c.state.transactions[id]?.transactionHash)
        let noise = TransactionReceipt.Log(address: try EVM.Address(hex: Cluster.usdc), topics: [Array(repeating: 1, count: 32)], data: [])
        let before = c.state.digest
        #expect(c.apply(try entry(try Self.receipt(id, hash: hash, logs: Array(repeating: noise, count: 17)), in: c)) == .mined(requestId: id, succeeded: true))
        let plan = try #require(c.state.transactions[id])
        #expect(plan.status == .mined && plan.receipt?.logCount == 17)
        #expect(plan.mismatches.map(\.code) == [.tooManyLogs], "\(plan.mismatches)")
        #expect(c.state.digest != before)
    }

    @Test func aRevertedTransactionIsMinedRevertedAndTheCancellationOfAMinedOneIsNotMined() throws {
        var (c, id) = try signed()
        let hash = try #require(c.state.transactions[id]?.transactionHash)
        let from = c.state.transactions[id]!.from.checksummed
        let (p, _) = try c.propose(.cancelNonce(vault: "hot", chain: "ethereum", address: from, nonce: 0), by: "frank")
        try c.approve(p, by: "grace")
        try c.approve(p, by: "erin")
        let cancelId = ReplicatedState.cancellationId(operationId: p.id)
        #expect(c.state.transactions[id]?.status == .superseded)
        // The chain mined the superseded transaction after all, and it reverted.
        #expect(c.apply(try entry(try Self.receipt(id, hash: hash, succeeded: false), in: c)) == .mined(requestId: id, succeeded: false))
        #expect(c.state.transactions[id]?.status == .minedReverted)
        #expect(c.state.transactions[id]?.mismatches == [ReceiptMismatch(.reverted, "the transaction reverted on chain (block 107)")])
        #expect(c.state.transactions[id]?.failure?.contains("mined in block 107 and reverted") == true)
        #expect(c.state.windows.counts(id), "its gas was spent: it keeps counting as approved, no new charge")
        let cancel = try #require(c.state.transactions[cancelId])
        #expect(cancel.status == .notMined && cancel.failure?.contains("was mined at nonce 0 in block 107") == true)
        #expect(Cluster.reason(c.apply(try c.parameters(cancelId, nonce: 0, key: executor))).contains("it is not-mined"))
    }
}
