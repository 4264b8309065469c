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

/// Transaction parameters, checked by every node: an executor bot proposes nonce, gas and fees
/// for an allowed transfer; every node checks them against its own state and the policy's fee
/// limits, builds the EIP-1559 transaction and its signing hash itself, and signs it with the
/// vault through threshold ECDSA; the signed raw transaction is recorded.
@Suite struct TransactionParametersTests {
    let ecdsa = ECDSASigningTests()
    let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
    let executor = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())

    func cluster() throws -> (Cluster, [NodeID: SecretBytes]) {
        var c = try ecdsa.ceremony.cluster()
        let keys = try ecdsa.ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        try c.prepareTransactions(bot: bot, executor: executor)
        return (c, keys)
    }

    func allowed(_ c: inout Cluster, _ body: JSONValue = Cluster.evmTransfer()) throws -> String {
        guard case .requestDecided(let id, .allow) = try c.submit(c.signed(body, keyId: "risk-bot", key: bot)) else {
            throw FROSTSigningTests.TestFailure("the request was not allowed")
        }
        return id
    }

    /// Review helper-113 M4: a plain transfer to a contract (a Safe, a smart wallet) runs code, so
    /// exactly 21,000 gas would be mined reverted; it takes its simulation's gas plus 10 %, while
    /// one whose simulation ran no code keeps exactly 21,000.
    @Test func aPlainTransferToAContractTakesTheGasItsSimulationShows() throws {
        var (c, _) = try cluster()
        let id = try allowed(&c)
        #expect(c.apply(try c.simulation(id, gasUsed: 40_000)) == .simulated(requestId: id, outcome: .success))
        for (gas, reason) in [(UInt64(21_000), "gas limit 21000 is below 44000"), (43_999, "gas limit 43999 is below 44000")] {
            #expect(Cluster.reason(c.apply(try c.parameters(id, nonce: 0, gasLimit: gas, key: executor))).contains(reason))
        }
        #expect(c.state.transactions[id]?.status == .awaitingParameters)
        let accepted = c.apply(try c.parameters(id, nonce: 0, gasLimit: 44_000, key: executor))
        #expect(c.state.transactions[id]?.parameters?.gasLimit == 44_000, "\(accepted)")
    }

    @Test func parametersOutsideTheChecksAreRefusedNamingTheParameter() throws {
        var (c, _) = try cluster()
        let id = try allowed(&c)
        let stranger = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("other-bot", key: stranger.publicKey)
        let staging = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("staging-executor", key: staging.publicKey, roles: ["executor"], environment: .staging)
        let refusals: [(Entry, String)] = [
            (try c.parameters(id, nonce: 1, key: executor), "nonce 1 is not the next nonce"),
            (try c.parameters(id, nonce: 0, maxFee: 100_000_000_001, key: executor), "max fee per gas 100000000001 wei exceeds the policy's limit on ethereum"),
            (try c.parameters(id, nonce: 0, maxFee: 5_000_000_000, tip: 3_000_000_000, key: executor), "max priority fee per gas 3000000000 wei exceeds the policy's limit"),
            (try c.parameters(id, nonce: 0, maxFee: 1, tip: 2, key: executor), "exceeds max fee per gas"),
            (try c.parameters(id, nonce: 0, gasLimit: 50_000, key: executor), "gas limit 50000 is not 21000, a plain transfer's to an address its simulation shows runs no code"),
            (try c.parameters(id, nonce: 0, chainId: 31337, key: executor), "chain id 31337 is not ethereum's (1)"),
            (try c.parameters(id, nonce: 0, executor: "other-bot", key: stranger), "does not hold the executor role"),
            (try c.parameters(id, nonce: 0, executor: "staging-executor", key: staging),
             "executor staging-executor is a staging bot and vault hot a development vault: environments never mix"),
            (try c.parameters(id, nonce: 0, key: stranger), "does not verify"),
            (try c.parameters(id, nonce: 0, key: executor, genesisDigest: Hashes.sha256(Array("a staging cluster".utf8))), "does not verify"),
            (try c.parameters(String(repeating: "ab", count: 32), nonce: 0, key: executor), "no transaction is planned"),
        ]
        for (entry, reason) in refusals {
            var other = c.state
            let outcome = c.apply(entry)
            #expect(Cluster.reason(outcome).contains(reason), "\(Cluster.reason(outcome))")
            // Every node refuses it alike.
            #expect(other.apply(entry, blockTime: c.now) == outcome)
            #expect(other.digest == c.state.digest)
        }
        #expect(c.state.transactions[id]?.status == .awaitingParameters && c.state.signing[id] == nil)
        #expect(c.state.refusals.suffix(refusals.count).allSatisfy { $0.kind == TransactionParametersEntry.kind })
        // Nor may an executor of another environment simulate it (review helper-108).
        #expect(Cluster.reason(c.apply(try c.simulation(id, executor: "staging-executor", key: staging))).contains("environments never mix"))
        // A request the policy denied has no transaction to parameterize.
        guard case .requestDecided(let denied, .deny) = try c.submit(c.signed(Cluster.evmTransfer(to: Cluster.stranger), keyId: "risk-bot", key: bot))
        else { Issue.record("not denied"); return }
        #expect(Cluster.code(c.apply(try c.parameters(denied, nonce: 0, key: executor))) == .unknownRequest)
    }

    @Test func requestsFromOneAddressTakeConsecutiveNoncesAndEveryNodeBuildsTheHash() throws {
        var (c, _) = try cluster()
        let first = try allowed(&c)
        let second = try allowed(&c, Cluster.evmTransfer(asset: "USDC", amount: "7"))
        #expect(c.apply(try c.parameters(first, nonce: 0, key: executor)) == .transactionParameters(requestId: first, nonce: 0))
        let again = c.apply(try c.parameters(first, nonce: 1, key: executor))
        #expect(Cluster.reason(again).contains("already has parameters"))
        #expect(Cluster.reason(c.apply(try c.parameters(second, nonce: 0, gasLimit: 60_000, key: executor))).contains("nonce 0 is not the next nonce"))
        #expect(Cluster.reason(c.apply(try c.parameters(second, nonce: 1, gasLimit: 400_000, key: executor))).contains("gas limit 400000 is outside 21000 to 300000"))
        #expect(c.apply(try c.parameters(second, nonce: 1, gasLimit: 60_000, key: executor)) == .transactionParameters(requestId: second, nonce: 1))
        let from = c.state.transactions[first]!.from.checksummed
        #expect(c.state.transactions.nextNonce(chainId: 1, address: from) == 2)
        // What the vault signs is the EIP-1559 signing hash, built here independently.
        let expected = try EVM.Transaction.eip1559(chainID: 1, nonce: 0, maxPriorityFeePerGas: 1_000_000_000, maxFeePerGas: 50_000_000_000,
                                                   gasLimit: 21_000, to: try EVM.Address(hex: Cluster.kraken), value: 1_500_000_000_000_000_000)
        #expect(c.state.signing[first]?.message == expected.signingHash)
        #expect(c.state.transactions[first]?.signingHash == expected.signingHash && c.state.transactions[first]?.status == .signing)
        #expect(c.state.signing[second]?.message == c.state.transactions[second]?.signingHash)
    }

    /// A label spelling another address of the vault never designates its own address: the
    /// address wins (review helper-89 M1), so neither a request nor a nonce cancellation naming
    /// the key's address can be moved to the labelled one.
    @Test func aLabelThatSpellsAnotherAddressNeverDesignatesItsOwn() throws {
        var (c, _) = try cluster()
        let root = try #require(c.state.vaults["hot"]?.rootAddresses.first { $0.chain == .evm }?.address)
        try c.govern(.addVaultAddress(vault: "hot", label: root, chain: .evm, path: [0, 7]))
        let labelled = try #require(c.state.vaults["hot"]?.addresses.first { $0.label == root }?.address)
        #expect(labelled != root)
        #expect(c.state.vaults["hot"]?.evmSource(named: root)?.address.checksummed == root)
        #expect(c.state.vaults["hot"]?.evmSource(named: root)?.path == [])
        #expect(c.state.vaults["hot"]?.evmSource(named: root.lowercased())?.path == [])
        let id = try allowed(&c, Cluster.evmTransfer(from: root))
        #expect(c.state.transactions[id]?.from.checksummed == root && c.state.transactions[id]?.path == [])
    }

    @Test func theVaultSignsTheTransactionItsSenderAddressRecovers() throws {
        var (c, keys) = try cluster()
        // From a derived address: the signers apply its BIP-32 tweak.
        try c.govern(.addVaultAddress(vault: "hot", label: "trading-1", chain: .evm, path: [0, 5]))
        let id = try allowed(&c, Cluster.evmTransfer(from: "trading-1"))
        #expect(c.state.transactions[id]?.path == [0, 5])
        #expect(c.state.transactions[id]?.from.checksummed == c.state.vaults["hot"]!.addresses.first { $0.label == "trading-1" }?.address)
        #expect(c.apply(try c.parameters(id, nonce: 0, key: executor)) == .transactionParameters(requestId: id, nonce: 0))
        var s = ECDSASigningTests.Setup(c: c, keys: keys, request: id)
        for n in ecdsa.nodes { s.databases[n.id] = try NodeDatabase.inMemory() }
        try ecdsa.confirm(&s, batch: 0, try ecdsa.presign(&s, batch: 0))
        let session = try #require(s.c.state.signing[id])
        #expect(session.status == .signing)
        let (inbox, made) = try ecdsa.shares(s)
        let aggregator = session.signers[0]
        guard case .signature(let signature) = try ECDSASigningRound.aggregate(s.c.state, request: id, shares: try ecdsa.plain(inbox[aggregator]!),
                                                                              publicData: made[aggregator]!.publicData)
        else { Issue.record("no signature"); return }
        #expect(try ecdsa.ceremony.submit(&s.c, .signature(vault: "hot", epoch: 0, request: id, signature: signature),
                                          by: ecdsa.ceremony.node(aggregator)) == .signed(requestId: id))
        let plan = try #require(s.c.state.transactions[id])
        #expect(plan.status == .signed)
        let raw = try #require(plan.rawTransaction)
        let decoded = try EVM.SignedTransaction.decode(raw)
        #expect(try decoded.recoverSender() == plan.from, "the vault's address signed it")
        #expect(decoded.transaction.to == (try EVM.Address(hex: Cluster.kraken)) && decoded.transaction.value == 1_500_000_000_000_000_000)
        #expect(decoded.transaction.nonce == 0 && decoded.transaction.chainID == 1 && decoded.hash == plan.transactionHash)
    }
}
