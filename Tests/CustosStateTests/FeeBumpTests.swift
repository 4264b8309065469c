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

/// Fee bumps (issue #11 items 5 and 7): the executor replaces a signed transaction that is not
/// mined by one at the same nonce with higher fees. Every node accepts the replacement only for
/// a signed plan without a receipt, `PlannedTransaction.replacementInterval` of block time after
/// its signature (the rule for "stuck": nodes do not see the chain), at the same nonce, with
/// fees at least 12.5 % higher and within the policy's fee limit, a gas limit not lower, at most
/// `PlannedTransaction.maximumReplacements` times; the vault signs it again, every signed hash is
/// kept, and a receipt of any of them completes the plan.
@Suite struct FeeBumpTests {
    let ecdsa = ECDSASigningTests()
    let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
    let executor = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())

    /// An allowed 1.5 ETH transfer signed by the vault at nonce 0 (max fee 50 gwei, priority
    /// fee 1 gwei unless given; the policy's limit is 100 and 2 gwei), with two presignature
    /// batches pooled.
    func signed(maxFee: BigUInt = 50_000_000_000, tip: BigUInt = 1_000_000_000) throws -> (ECDSASigningTests.Setup, String) {
        var c = try ecdsa.ceremony.cluster()
        let keys = try ecdsa.ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        try c.prepareTransactions(bot: bot, executor: executor)
        guard case .requestDecided(let id, .allow) = try c.submit(c.signed(Cluster.evmTransfer(), keyId: "risk-bot", key: bot)) else {
            throw FROSTSigningTests.TestFailure("the request was not allowed")
        }
        #expect(c.apply(try c.parameters(id, nonce: 0, maxFee: maxFee, tip: tip, key: executor)) == .transactionParameters(requestId: id, nonce: 0))
        var s = ECDSASigningTests.Setup(c: c, keys: keys, request: id)
        for n in ecdsa.nodes { s.databases[n.id] = try NodeDatabase.inMemory() }
        try ecdsa.confirm(&s, batch: 0, try ecdsa.presign(&s, batch: 0))
        try ecdsa.confirm(&s, batch: 1, try ecdsa.presign(&s, batch: 1))
        try sign(&s)
        return (s, id)
    }

    /// The vault signs the request's current session; the plan is then signed.
    func sign(_ s: inout ECDSASigningTests.Setup) throws {
        let session = try #require(s.c.state.signing[s.request])
        let (inbox, made) = try ecdsa.shares(s)
        let aggregator = session.signers[0]
        guard case .signature(let signature) = try ECDSASigningRound.aggregate(
            s.c.state, request: s.request, shares: try ecdsa.plain(inbox[aggregator]!), publicData: made[aggregator]!.publicData)
        else { throw FROSTSigningTests.TestFailure("no signature") }
        #expect(try ecdsa.ceremony.submit(&s.c, .signature(vault: "hot", epoch: 0, request: s.request, signature: signature),
                                          by: ecdsa.ceremony.node(aggregator)) == .signed(requestId: s.request))
        #expect(s.c.state.transactions[s.request]?.status == .signed)
    }

    /// A fee bump of `request` at `nonce`, as a log entry (21,000 gas: a plain transfer).
    func bump(_ c: inout Cluster, _ request: String, nonce: UInt64 = 0, maxFee: BigUInt, tip: BigUInt) throws -> Entry {
        try c.parameters(request, nonce: nonce, maxFee: maxFee, tip: tip, key: executor)
    }

    /// Applies `e` and expects it refused for `reason`, the same on another node, and the plan of `id` unchanged.
    func expectRefused(_ c: inout Cluster, _ id: String, _ e: Entry, _ reason: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let before = c.state.transactions[id]
        var other = c.state
        let outcome = c.apply(e)
        #expect(Cluster.reason(outcome).contains(reason), "\(Cluster.reason(outcome))", sourceLocation: sourceLocation)
        #expect(other.apply(e, blockTime: c.now) == outcome && other.digest == c.state.digest, sourceLocation: sourceLocation)
        #expect(c.state.transactions[id] == before, "nothing changed", sourceLocation: sourceLocation)
    }

    func receipt(_ s: ECDSASigningTests.Setup, hash: [UInt8]) throws -> Entry {
        try TransactionReceiptEntry(try TransactionReceiptTests.receipt(s.request, hash: hash), executor: "executor-bot", key: executor,
                                    genesisDigest: s.c.state.genesisDigest).entry()
    }

    @Test func aStuckTransactionIsReplacedWithinTheFeeLimitAndAReceiptOfEitherHashCompletesIt() throws {
        var (s, id) = try signed()
        let first = try #require(s.c.state.transactions[id]?.transactionHash)
        // Not stuck yet: nodes accept a bump only 10 s of block time after the signature.
        expectRefused(&s.c, id, try bump(&s.c, id, maxFee: 60_000_000_000, tip: 1_500_000_000), "only 10 s of block time after it was signed")
        s.c.now += PlannedTransaction.replacementInterval
        // Below the replacement floor (50 gwei + 12.5 % = 56.25 gwei; 1 gwei + 12.5 %), above the
        // policy's limit (100 gwei, 2 gwei), at another nonce.
        expectRefused(&s.c, id, try bump(&s.c, id, maxFee: 56_249_999_999, tip: 1_500_000_000), "at least 12.5 % above the replaced transaction's")
        expectRefused(&s.c, id, try bump(&s.c, id, maxFee: 60_000_000_000, tip: 1_124_999_999), "at least 12.5 % above the replaced transaction's")
        expectRefused(&s.c, id, try bump(&s.c, id, maxFee: 100_000_000_001, tip: 1_500_000_000), "exceeds the policy's limit on ethereum")
        expectRefused(&s.c, id, try bump(&s.c, id, maxFee: 60_000_000_000, tip: 2_000_000_001), "exceeds the policy's limit on ethereum")
        expectRefused(&s.c, id, try bump(&s.c, id, nonce: 1, maxFee: 60_000_000_000, tip: 1_500_000_000), "takes nonce 0, not 1")
        // At the floor, within the limit: the vault signs again at the same nonce.
        #expect(s.c.apply(try bump(&s.c, id, maxFee: 56_250_000_000, tip: 1_125_000_000)) == .transactionParameters(requestId: id, nonce: 0))
        var plan = try #require(s.c.state.transactions[id])
        #expect(plan.status == .signing && plan.replacedTransactions == [first] && plan.rawTransaction == nil && plan.signatureMayExist)
        let from = plan.from.checksummed
        #expect(s.c.state.transactions.reservation(chainId: 1, address: from, nonce: 0) == id)
        #expect(s.c.state.transactions.nextNonce(chainId: 1, address: from) == 1, "a bump takes no new nonce")
        try sign(&s)
        plan = try #require(s.c.state.transactions[id])
        let second = try #require(plan.transactionHash)
        #expect(second != first && plan.signedHashes == [first, second] && plan.parameters?.nonce == 0)
        #expect(try EVM.SignedTransaction.decode(plan.rawTransaction!).transaction.nonce == 0)
        // The chain mines one of them: a receipt of either completes the plan; no other is taken.
        var other = s
        #expect(s.c.apply(try receipt(s, hash: first)) == .mined(requestId: id, succeeded: true))
        #expect(other.c.apply(try receipt(other, hash: second)) == .mined(requestId: id, succeeded: true))
        #expect(Cluster.reason(other.c.apply(try receipt(other, hash: Array(repeating: 0x42, count: 32)))).contains("already has a receipt"))
        #expect(s.c.state.transactions[id]?.receipt?.transactionHash == first && s.c.state.transactions[id]?.status == .mined)
        // A plan already mined is never bumped.
        s.c.now += PlannedTransaction.replacementInterval
        expectRefused(&s.c, id, try bump(&s.c, id, maxFee: 70_000_000_000, tip: 1_500_000_000), "already has parameters (it is mined)")
    }

    @Test func aReceiptOfTheReplacedHashIsTakenWhileTheBumpIsStillSigning() throws {
        var (s, id) = try signed()
        let first = try #require(s.c.state.transactions[id]?.transactionHash)
        s.c.now += PlannedTransaction.replacementInterval
        #expect(s.c.apply(try bump(&s.c, id, maxFee: 60_000_000_000, tip: 1_500_000_000)) == .transactionParameters(requestId: id, nonce: 0))
        expectRefused(&s.c, id, try receipt(s, hash: Array(repeating: 0x42, count: 32)), "is not the one request \(id) signed")
        #expect(s.c.apply(try receipt(s, hash: first)) == .mined(requestId: id, succeeded: true))
        #expect(s.c.state.transactions[id]?.status == .mined)
    }

    /// Review helper-96 L1: a receipt of the replaced hash is held to that transaction's own
    /// maximum fee, not to the bump's higher one.
    @Test func aReceiptOfAReplacedHashIsCheckedAgainstItsOwnParameters() throws {
        var (s, id) = try signed()
        let first = try #require(s.c.state.transactions[id]?.transactionHash)
        s.c.now += PlannedTransaction.replacementInterval
        #expect(s.c.apply(try bump(&s.c, id, maxFee: 80_000_000_000, tip: 1_500_000_000)) == .transactionParameters(requestId: id, nonce: 0))
        try sign(&s)
        let second = try #require(s.c.state.transactions[id]?.transactionHash)
        #expect(s.c.state.transactions[id]?.replacedParameters.map(\.maxFeePerGas) == [50_000_000_000])
        func claim(_ hash: [UInt8]) throws -> Entry {
            try TransactionReceiptEntry(try TransactionReceiptTests.receipt(id, hash: hash, price: 60_000_000_000), executor: "executor-bot",
                                        key: executor, genesisDigest: s.c.state.genesisDigest).entry()
        }
        // 60 gwei is within the bump's 80 but above the first transaction's 50: provably false for it.
        expectRefused(&s.c, id, try claim(first), "above the transaction's maximum fee of 50000000000")
        #expect(s.c.apply(try claim(second)) == .mined(requestId: id, succeeded: true))
    }

    @Test func aPlanIsReplacedAtMostEightTimes() throws {
        // Low first fees, so that eight bumps of 12.5 % stay within the policy's limit.
        var (s, id) = try signed(maxFee: 10_000_000_000, tip: 200_000_000)
        var fee: BigUInt = 0, tip: BigUInt = 0
        for _ in 0..<PlannedTransaction.maximumReplacements {
            s.c.now += PlannedTransaction.replacementInterval
            fee = TransactionParameters.replacementFloor(max(fee, s.c.state.transactions[id]!.parameters!.maxFeePerGas))
            tip = TransactionParameters.replacementFloor(max(tip, s.c.state.transactions[id]!.parameters!.maxPriorityFeePerGas))
            #expect(s.c.apply(try bump(&s.c, id, maxFee: fee, tip: tip)) == .transactionParameters(requestId: id, nonce: 0))
            try sign(&s)
        }
        #expect(s.c.state.transactions[id]?.signedHashes.count == PlannedTransaction.maximumReplacements + 1)
        s.c.now += PlannedTransaction.replacementInterval
        expectRefused(&s.c, id, try bump(&s.c, id, maxFee: TransactionParameters.replacementFloor(fee), tip: TransactionParameters.replacementFloor(tip)),
                      "was replaced 8 times, the most a plan may be")
    }
}
