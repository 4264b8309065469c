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
    func signed() throws -> (Cluster, String) {
        var c = try ecdsa.ceremony.cluster()
        let keys = try ecdsa.ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        try c.prepareTransactions(bot: bot, executor: executor)
        guard case .requestDecided(let id, .allow) = try c.submit(c.signed(Cluster.evmTransfer(), keyId: "risk-bot", key: bot)) else {
            throw FROSTSigningTests.TestFailure("the request was not allowed")
        }
        #expect(c.apply(try c.parameters(id, nonce: 0, key: executor)) == .transactionParameters(requestId: id, nonce: 0))
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

    /// A receipt of `hash` for `request`, with one ERC-20 Transfer-shaped log.
    static func receipt(_ request: String, hash: [UInt8], succeeded: Bool = true) throws -> TransactionReceipt {
        let log = TransactionReceipt.Log(address: try EVM.Address(hex: Cluster.usdc), topics: [Array(repeating: 1, count: 32)], data: [0, 1])
        return TransactionReceipt(requestId: request, transactionHash: hash, blockNumber: 7, blockHash: Array(repeating: 0xcd, count: 32),
                                  succeeded: succeeded, gasUsed: 21_000, effectiveGasPrice: 2_000_000_000, logs: [log])
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
        let tooMany = TransactionReceipt(requestId: id, transactionHash: r.transactionHash, blockNumber: 1, blockHash: r.blockHash, succeeded: true,
                                         gasUsed: 1, effectiveGasPrice: 1, logs: Array(repeating: r.logs[0], count: TransactionReceipt.maximumLogs + 1))
        #expect(ReplicatedState.malformation(of: try entry(tooMany, in: c)) != nil)
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
        #expect(c.state.transactions[id]?.mismatches == ["the transaction reverted on chain (block 7)"])
        #expect(c.state.transactions[id]?.failure?.contains("mined in block 7 and reverted") == true)
        #expect(c.state.windows.counts(id), "its gas was spent: it keeps counting as approved, no new charge")
        let cancel = try #require(c.state.transactions[cancelId])
        #expect(cancel.status == .notMined && cancel.failure?.contains("was mined at nonce 0 in block 7") == true)
        #expect(Cluster.reason(c.apply(try c.parameters(cancelId, nonce: 0, key: executor))).contains("it is not-mined"))
    }
}
