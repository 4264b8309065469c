import BigInt
import Crypto
import CustosChains
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import Foundation
@testable import CustosState
import Testing

/// Simulation before signing (issue #11 item 6): an executor bot records the `eth_call` outcome
/// of a planned transaction in a signed `request.simulation` entry; every node refuses parameters
/// without a successful one recorded within 2 minutes of block time, and ends an allowed request
/// whose simulation reverted, unsigned, without a nonce, released from its window charge.
@Suite struct TransactionSimulationTests {
    let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
    let executor = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
    let ecdsa = ECDSASigningTests()

    func cluster(policy: String? = nil) throws -> Cluster {
        var c = try ecdsa.ceremony.cluster()
        _ = try ecdsa.ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        try c.prepareTransactions(bot: bot, executor: executor)
        if let policy { try c.govern(.changePolicy(yaml: policy)) }
        return c
    }

    func submitted(_ c: inout Cluster, _ body: JSONValue = Cluster.evmTransfer()) throws -> (String, PolicyDecision.Outcome) {
        guard case .requestDecided(let id, let outcome) = try c.submit(c.signed(body, keyId: "risk-bot", key: bot)) else {
            throw FROSTSigningTests.TestFailure("the request was not decided")
        }
        return (id, outcome)
    }

    /// Error(string) revert data for `reason`.
    static func errorData(_ reason: String) throws -> [UInt8] {
        try EVM.ABI.encodeCall("Error(string)", [.string(reason)])
    }

    @Test func aSimulationNotMadeByTheExecutorOrForAnotherPlanIsRefusedByEveryNode() throws {
        var c = try cluster()
        let (id, _) = try submitted(&c)
        let stranger = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("other-bot", key: stranger.publicKey)
        let refusals: [(Entry, String)] = [
            // The risk bot, or any bot without the role, cannot vouch for a simulation.
            (try c.simulation(id, executor: "risk-bot", key: bot), "does not hold the executor role"),
            (try c.simulation(id, executor: "other-bot", key: stranger), "does not hold the executor role"),
            // A gateway forging the executor's name without its key.
            (try c.simulation(id, key: stranger), "the signature of bot executor-bot over the simulation does not verify"),
            (try c.simulation(id, chainId: 31337), "chain id 31337 is not ethereum's (1)"),
            (try c.simulation(String(repeating: "ab", count: 32)), "no transfer or contract call is planned"),
        ]
        for (entry, reason) in refusals {
            var other = c.state
            let outcome = c.apply(entry)
            #expect(Cluster.reason(outcome).contains(reason), "\(Cluster.reason(outcome))")
            #expect(other.apply(entry, blockTime: c.now) == outcome)
            #expect(other.digest == c.state.digest)
        }
        #expect(c.state.transactions[id]?.simulation == nil)
        #expect(c.state.refusals.suffix(refusals.count).allSatisfy { $0.kind == TransactionSimulationEntry.kind })
        // A simulation at an older block than the one recorded is stale.
        #expect(c.apply(try c.simulation(id, block: 100)) == .simulated(requestId: id, outcome: .success))
        #expect(Cluster.reason(c.apply(try c.simulation(id, block: 99))).contains("ran at block 99, before the simulation already recorded (block 100)"))
        // A denied request has no plan to simulate.
        let (denied, outcome) = try submitted(&c, Cluster.evmTransfer(to: Cluster.stranger))
        #expect(outcome == .deny)
        #expect(Cluster.code(c.apply(try c.simulation(denied))) == .unknownRequest)
    }

    @Test func malformedSimulationsAreRefusedBeforeAnyBlockCarriesThem() throws {
        let c = try cluster()
        let hash = Array(repeating: UInt8(0xab), count: 32)
        func entry(_ s: TransactionSimulation) throws -> Entry {
            try TransactionSimulationEntry(s, executor: "executor-bot", key: executor, genesisDigest: c.state.genesisDigest).entry()
        }
        let id = String(repeating: "cd", count: 32)
        let successWithData = try entry(TransactionSimulation(requestId: id, chainId: 1, blockNumber: 1, blockHash: hash, outcome: .success,
                                                              gasUsed: 1, revertData: [1], intentDigest: hash, simulatedAt: 1))
        #expect(ReplicatedState.malformation(of: successWithData)?.code == .malformed)
        let shortHash = try entry(TransactionSimulation(requestId: id, chainId: 1, blockNumber: 1, blockHash: [1, 2], outcome: .success, gasUsed: 1,
                                                        intentDigest: hash, simulatedAt: 1))
        #expect(ReplicatedState.malformation(of: shortHash)?.reason.contains("a block hash has 32 bytes") == true)
        let shortIntent = try entry(TransactionSimulation(requestId: id, chainId: 1, blockNumber: 1, blockHash: hash, outcome: .success, gasUsed: 1,
                                                          intentDigest: [1, 2], simulatedAt: 1))
        #expect(ReplicatedState.malformation(of: shortIntent)?.reason.contains("an intent digest has 32 bytes") == true)
        let tooMuchData = try entry(TransactionSimulation(requestId: id, chainId: 1, blockNumber: 1, blockHash: hash, outcome: .reverted, gasUsed: 1,
                                                          revertData: Array(repeating: 7, count: TransactionSimulation.maximumRevertData + 1), intentDigest: hash, simulatedAt: 1))
        #expect(ReplicatedState.malformation(of: tooMuchData) != nil)
        let unsigned = try Entry(kind: TransactionSimulationEntry.kind, payload: successWithData.payload, authorization: [])
        #expect(ReplicatedState.malformation(of: unsigned) != nil)
    }

    /// A gateway lying to the executor about the committed transaction (another value or
    /// calldata in `/v1/requests`) gets a simulation of that transaction, which names it: every
    /// node refuses it for the committed plan, and the executor's forged signature shows in an audit.
    @Test func aSimulationOfAnotherTransactionThanTheCommittedPlanIsRefused() throws {
        var c = try cluster()
        let (id, _) = try submitted(&c)
        let plan = try #require(c.state.transactions[id])
        let shown: [(BigUInt, [UInt8])] = [(plan.value + 1, plan.data), (plan.value, plan.data + [0]), (0, [0xa9, 0x05, 0x9c, 0xbb])]
        for (value, data) in shown {
            let lie = PlannedTransaction.intentDigest(chainId: plan.chainId, from: plan.from, to: plan.to, value: value, data: data)
            let outcome = c.apply(try c.simulation(id, intent: lie))
            #expect(Cluster.reason(outcome).contains("it ran another transaction than request \(id)'s"), "\(Cluster.reason(outcome))")
        }
        #expect(c.state.transactions[id]?.simulation == nil)
        guard case .refused(let forged) = c.apply(try c.simulation(id, key: BotSigningKey(ed25519: Curve25519.Signing.PrivateKey()))) else {
            Issue.record("a forged simulation was not refused"); return
        }
        #expect(forged.showsAlteredEntry, "a simulation the executor did not sign shows an altered entry in an audit")
        #expect(c.apply(try c.simulation(id)) == .simulated(requestId: id, outcome: .success))
    }

    /// A gateway holding a successful simulation back, or replaying it byte for byte after the
    /// executor's later simulation reverted, cannot make it count: it must be recorded within 30 s
    /// of when it was made and after the one already recorded.
    @Test func aHeldBackOrReplayedSimulationIsRefused() throws {
        var c = try cluster()
        let (id, _) = try submitted(&c)
        let early = try c.simulation(id, block: 100)
        c.now += 5_000
        let later = try c.simulation(id, block: 100)
        #expect(c.apply(later) == .simulated(requestId: id, outcome: .success))
        #expect(Cluster.reason(c.apply(early)).contains("not after the simulation already recorded"))
        #expect(Cluster.reason(c.apply(later)).contains("not after the simulation already recorded"), "the same entry twice")
        // Held back past the skew: refused, and parameters cannot lean on it once the recorded one is stale.
        let held = try c.simulation(id, block: 101)
        c.now += TransactionSimulation.freshness
        #expect(Cluster.reason(c.apply(held)).contains("more than 30 s from the block time"))
        let parameters = try TransactionParametersEntry(
            TransactionParameters(requestId: id, chainId: 1, nonce: 0, gasLimit: 21_000, maxFeePerGas: 50_000_000_000, maxPriorityFeePerGas: 1_000_000_000),
            executor: "executor-bot", key: executor, genesisDigest: c.state.genesisDigest).entry()
        #expect(Cluster.reason(c.apply(parameters)).contains("is older than 2 minutes of block time"))
        // Made in the future (a lying clock) is refused too.
        #expect(Cluster.reason(c.apply(try c.simulation(id, block: 101, at: c.now + 60_000))).contains("more than 30 s from the block time"))
        #expect(c.state.transactions[id]?.status == .awaitingParameters)
    }

    @Test func parametersNeedAFreshSuccessfulSimulation() throws {
        var c = try cluster()
        let (id, _) = try submitted(&c)
        func parameters() throws -> Entry {
            try TransactionParametersEntry(
                TransactionParameters(requestId: id, chainId: 1, nonce: 0, gasLimit: 21_000, maxFeePerGas: 50_000_000_000,
                                      maxPriorityFeePerGas: 1_000_000_000),
                executor: "executor-bot", key: executor, genesisDigest: c.state.genesisDigest).entry()
        }
        #expect(Cluster.reason(c.apply(try parameters())).contains("has no successful simulation recorded"))
        #expect(c.apply(try c.simulation(id)) == .simulated(requestId: id, outcome: .success))
        // Two minutes and a second of block time later it is stale.
        c.now += TransactionSimulation.freshness
        #expect(Cluster.reason(c.apply(try parameters())).contains("simulation (block 100) is older than 2 minutes of block time"))
        #expect(c.state.transactions[id]?.status == .awaitingParameters && c.state.signing[id] == nil)
        #expect(c.apply(try c.simulation(id, block: 101)) == .simulated(requestId: id, outcome: .success))
        #expect(c.apply(try parameters()) == .transactionParameters(requestId: id, nonce: 0))
        // Once signing, the transaction is no longer simulated.
        #expect(Cluster.reason(c.apply(try c.simulation(id, block: 102))).contains("only a transaction awaiting its parameters is simulated"))
    }

    /// Review M2: a gas limit under what the simulation used (plus 10 %) would be mined
    /// reverted, and a confirmed revert may freeze signing: every node refuses it, saying why.
    @Test func aContractCallsGasLimitBelowItsSimulationIsRefused() throws {
        var c = try cluster()
        let (id, _) = try submitted(&c, Cluster.evmTransfer(asset: "USDC", amount: "10"))
        #expect(c.state.transactions[id]?.data.isEmpty == false)
        func parameters(_ gas: UInt64) throws -> Entry {
            try TransactionParametersEntry(
                TransactionParameters(requestId: id, chainId: 1, nonce: 0, gasLimit: gas, maxFeePerGas: 50_000_000_000, maxPriorityFeePerGas: 1_000_000_000),
                executor: "executor-bot", key: executor, genesisDigest: c.state.genesisDigest).entry()
        }
        #expect(c.apply(try c.simulation(id, gasUsed: 50_000)) == .simulated(requestId: id, outcome: .success))
        #expect(Cluster.reason(c.apply(try parameters(54_999)))
                == "the transaction parameters are refused: gas limit 54999 is below 55000, the gas request \(id)'s simulation used (50000 at block 100) "
                + "plus 10 %; it would likely run out of gas and be mined reverted")
        #expect(c.state.transactions[id]?.status == .awaitingParameters && c.state.transactions[id]?.parameters == nil)
        #expect(c.apply(try parameters(55_000)) == .transactionParameters(requestId: id, nonce: 0))
        #expect(TransactionParameters.gasFloor(simulated: .max) == .max && TransactionParameters.gasFloor(simulated: 21_000) == 23_100)
        // Rounded down as used + used / 10 and used + used / 5 were; saturating only past UInt64.max.
        for used: UInt64 in [0, 9, 99, 50_883, 1_000_001, UInt64.max / 2] {
            #expect(TransactionParameters.gas(used, plusPercent: 10) == used + used / 10)
            #expect(TransactionParameters.gas(used, plusPercent: 20) == used + used / 5)
        }
        #expect(TransactionParameters.gas(UInt64.max / 10 * 9, plusPercent: 20) == .max)
        #expect(TransactionParameters.gas(UInt64.max / 2, plusPercent: 255) == .max && TransactionParameters.gas(100, plusPercent: 255) == 355)
    }

    @Test func aRevertEndsAnAllowedRequestUnsignedAndReleasesItsWindowCharge() throws {
        var c = try cluster()
        let (id, _) = try submitted(&c, Cluster.evmTransfer(asset: "USDC", amount: "7"))
        #expect(c.state.windows.counts(id))
        let from = c.state.transactions[id]!.from.checksummed
        let data = try Self.errorData("ERC20: transfer amount exceeds balance\u{1b}[2J")
        #expect(c.apply(try c.simulation(id, revertData: data)) == .simulated(requestId: id, outcome: .reverted))
        let plan = try #require(c.state.transactions[id])
        #expect(plan.status == .revertedInSimulation && plan.parameters == nil)
        #expect(plan.failure?.contains(#"reverted: Error("ERC20: transfer amount exceeds balance\u{1b}[2J")"#) == true, "\(String(describing: plan.failure))")
        #expect(!c.state.windows.counts(id), "it stopped counting in the limits")
        #expect(c.state.transactions.expectedNonce(chainId: 1, address: from) == 0, "no nonce taken")
        let late = try TransactionParametersEntry(
            TransactionParameters(requestId: id, chainId: 1, nonce: 0, gasLimit: 60_000, maxFeePerGas: 50_000_000_000, maxPriorityFeePerGas: 1),
            executor: "executor-bot", key: executor, genesisDigest: c.state.genesisDigest).entry()
        #expect(Cluster.reason(c.apply(late)).contains("takes no parameters (it is reverted-in-simulation)"))
        // A later success cannot revive it.
        #expect(Cluster.reason(c.apply(try c.simulation(id, block: 101))).contains("is reverted-in-simulation"))
        #expect(c.state.transactions[id]?.status == .revertedInSimulation)
    }

    @Test func aRevertOfARequestWaitingForApprovalsIsShownNotFinal() throws {
        let policy = Cluster.transactionPolicy(version: 3).replacingOccurrences(of: "rules:\n", with: """
            rules:
              - name: to-exchanges
                match: {destination: {tags: [exchange]}, amount: {up_to: 1000}}
                outcome: allow
              - name: large-needs-two-admins
                match: {amount: {over: 10}}
                outcome: {require: {group: admins, count: 2}}
                expires: 1h

            """)
        var c = try cluster(policy: policy)
        let (id, outcome) = try submitted(&c, Cluster.evmTransfer(amount: "50"))
        #expect(outcome == .needsApprovals)
        #expect(c.apply(try c.simulation(id, revertData: [0xde, 0xad])) == .simulated(requestId: id, outcome: .reverted))
        let plan = try #require(c.state.transactions[id])
        #expect(plan.status == .awaitingParameters && plan.failure == nil)
        #expect(plan.simulation?.revertReason == "revert data 0xdead")
    }

    @Test func revertReasonsAreDecodedAsTextSafeWords() throws {
        #expect(EVM.RevertReason.describe([]) == "no revert data")
        #expect(EVM.RevertReason.describe(try Self.errorData("nope")) == #"Error("nope")"#)
        #expect(EVM.RevertReason.describe(try EVM.ABI.encodeCall("Panic(uint256)", [.uint(0x11)])) == "Panic(0x11: arithmetic overflow or underflow)")
        let long = EVM.RevertReason.describe(try Self.errorData(String(repeating: "x", count: 500)))
        #expect(long == "Error(\"" + String(repeating: "x", count: EVM.RevertReason.maximumLength) + "\"…)")
        let custom = [0x12, 0x34, 0x56, 0x78] + Array(repeating: UInt8(0xff), count: 40)
        #expect(EVM.RevertReason.describe(custom) == "revert data 0x12345678" + String(repeating: "ff", count: 28) + "… (44 bytes)")
        // A truncated Error(string) is shown as data, not decoded past its end.
        #expect(EVM.RevertReason.describe(Array(try Self.errorData("nope").prefix(40))).hasPrefix("revert data 0x08c379a0"))
    }
}
