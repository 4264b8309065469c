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
import Foundation
@testable import CustosState
import Testing

/// What happens to an EVM transaction's nonce and outcome when its signing does not end in a
/// signature in the log, written as an attacker would try it: a gateway that withholds the
/// signature entry and then gets the transfer signed again, an executor that reaches for
/// another nonce, parameters proposed long after the approval or under a policy tightened
/// since, fees the policy's fee rules refuse. A nonce handed to signers is never handed out
/// for a second, different transaction unless it can no longer be mined.
@Suite struct NonceSafetyTests {
    let base = TransactionParametersTests()
    var ecdsa: ECDSASigningTests { base.ecdsa }
    var executor: BotSigningKey { base.executor }

    /// The transactions policy with a daily count limit per initiator on the bots' rule, so that
    /// what counts in the windows shows.
    static func policy(version: Int) -> String {
        Cluster.transactionPolicy(version: version)
            .replacingOccurrences(of: "fee_limits:\n", with: "limits:\n  bot-daily: {per: initiator, window: 24h, max_count: 50}\nfee_limits:\n")
            .replacingOccurrences(of: "amount: {up_to: 10}}", with: "amount: {up_to: 10}, within: [bot-daily]}")
    }

    /// The transactions cluster under `policy(version: 3)`, and the vault's key shares.
    func cluster() throws -> (Cluster, [NodeID: SecretBytes]) {
        var (c, keys) = try base.cluster()
        try c.govern(.changePolicy(yaml: Self.policy(version: 3)))
        return (c, keys)
    }

    /// Presigns batch 0 so the session of `id` gets a signer set, and has its signers make the
    /// signature; returns the cluster and the signature, which no entry carried to the log (a
    /// gateway withheld it).
    func signButWithhold(_ c: Cluster, _ keys: [NodeID: SecretBytes], _ id: String) throws -> (Cluster, [UInt8]) {
        var s = ECDSASigningTests.Setup(c: c, keys: keys, request: id)
        for n in ecdsa.nodes { s.databases[n.id] = try NodeDatabase.inMemory() }
        try ecdsa.confirm(&s, batch: 0, try ecdsa.presign(&s, batch: 0))
        let session = try #require(s.c.state.signing[id])
        #expect(session.status == .signing && session.attempt == 0)
        let (inbox, made) = try ecdsa.shares(s)
        let aggregator = session.signers[0]
        guard case .signature(let signature) = try ECDSASigningRound.aggregate(s.c.state, request: id, shares: try ecdsa.plain(inbox[aggregator]!),
                                                                              publicData: made[aggregator]!.publicData)
        else { throw FROSTSigningTests.TestFailure("no signature") }
        return (s.c, signature)
    }

    /// Lets every attempt of `id`'s session run out (signers silent, or none ready) until it fails.
    func runOut(_ c: inout Cluster, _ id: String) {
        for _ in 0..<64 {
            guard let s = c.state.signing[id], s.status != .failed else { break }
            c.state.advance(to: s.status == .signing ? s.deadline : s.startedAt + SigningSession.waitLimit)
        }
        c.now = max(c.now, c.state.time)
    }

    /// A cluster with one allowed transfer whose signing ran out after its signers made the
    /// signature a gateway withheld: the transfer's id and that signature.
    func withheldTransfer() throws -> (Cluster, String, [UInt8]) {
        var (c, keys) = try cluster()
        let id = try base.allowed(&c)
        #expect(c.apply(try c.parameters(id, nonce: 0, key: executor)) == .transactionParameters(requestId: id, nonce: 0))
        let (signed, withheld) = try signButWithhold(c, keys, id)
        c = signed
        runOut(&c, id)
        #expect(c.state.signing[id]?.status == .failed)
        return (c, id, withheld)
    }

    @Test func aWithheldSignatureFollowedByAResubmissionNeverYieldsTwoNonces() throws {
        let (start, id, withheld) = try withheldTransfer()
        var c = start
        let plan = try #require(c.state.transactions[id])
        #expect(plan.status == .outcomeUnknown, "signers took part: a signature may exist")
        #expect(plan.failure?.contains("nonce 0 may exist") == true, "\(plan.failure ?? "")")
        let from = plan.from.checksummed
        #expect(c.state.transactions.reservation(chainId: 1, address: from, nonce: 0) == id)
        #expect(c.state.transactions.expectedNonce(chainId: 1, address: from) == 1, "nonce 0 is not handed out again")
        #expect(c.state.windows.counts(id), "it may still be mined: it keeps counting")
        // The executor tries to send the same transfer again at another nonce: refused.
        #expect(Cluster.reason(c.apply(try c.parameters(id, nonce: 1, key: executor))).contains("a replacement takes nonce 0, not 1"))
        // Nor may a replacement pay less than the transaction it replaces, nor less than the
        // 12.5 % more (rounded up) that mempools ask to replace it: a signature no mempool
        // relays would only spend a presignature. The replaced one bid 50 and 1 gwei.
        let floors = "max fee per gas at least 56250000000 wei, max priority fee per gas at least 1125000000 wei"
        for (fee, tip) in [(40_000_000_000, 1_125_000_000), (56_249_999_999, 1_125_000_000), (60_000_000_000, 1_000_000_000),
                           (60_000_000_000, 1_124_999_999)] as [(BigUInt, BigUInt)] {
            #expect(Cluster.reason(c.apply(try c.parameters(id, nonce: 0, maxFee: fee, tip: tip, key: executor)))
                .contains("a replacement's fees are at least 12.5 % above the replaced transaction's, as mempools require (\(floors))"), "\(fee) \(tip)")
        }
        #expect(TransactionParameters.replacementFloor(1) == 2 && TransactionParameters.replacementFloor(8) == 9
                && TransactionParameters.replacementFloor(16) == 18 && TransactionParameters.replacementFloor(0) == 0)
        // Nor give itself less gas, to revert and spend the nonce while showing signed.
        #expect(Cluster.reason(c.apply(try c.parameters(id, nonce: 0, gasLimit: 20_000, maxFee: 60_000_000_000, tip: 1_125_000_000, key: executor)))
            .contains("a replacement's gas limit is at least the replaced transaction's (21000), not 20000"))
        // Another request cannot take nonce 0 either.
        let other = try base.allowed(&c, Cluster.evmTransfer(amount: "2"))
        #expect(Cluster.reason(c.apply(try c.parameters(other, nonce: 0, key: executor))).contains("nonce 0 is not the next nonce"))
        // The retry is a replacement at the reserved nonce, with higher fees: whichever is
        // mined, the other cannot be.
        #expect(c.apply(try c.parameters(id, nonce: 0, maxFee: 56_250_000_000, tip: 1_125_000_000, key: executor))
                == .transactionParameters(requestId: id, nonce: 0))
        let replaced = try #require(c.state.transactions[id])
        #expect(replaced.status == .signing && replaced.parameters?.nonce == 0 && replaced.signingHash != plan.signingHash)
        #expect(c.state.signing[id]?.message == replaced.signingHash && c.state.signing[id]?.attempt == 0)
        // The withheld signature is for the replaced hash: it is not the new session's.
        let late = try ecdsa.ceremony.submit(&c, .signature(vault: "hot", epoch: 0, request: id, signature: withheld), by: ecdsa.nodes[0])
        #expect(Cluster.reason(late).contains("does not verify"))
        // A replacement whose signing fails stays outcome-unknown, however far it got: the first one may be out there.
        runOut(&c, id)
        #expect(c.state.transactions[id]?.status == .outcomeUnknown)
        #expect(c.state.transactions.reservation(chainId: 1, address: from, nonce: 0) == id)
        #expect(c.state.windows.counts(id))
        // The other request takes nonce 1: one transaction per nonce, the transfer at one nonce only.
        let other2 = try base.allowed(&c, Cluster.evmTransfer(amount: "3"))
        #expect(c.apply(try c.parameters(other2, nonce: 1, key: executor)) == .transactionParameters(requestId: other2, nonce: 1))
        let nonces = c.state.transactions.values.filter { $0.status != .expired }.compactMap { $0.parameters.map { ($0.nonce, $0.requestId) } }
        #expect(nonces.filter { $0.1 == id }.map(\.0) == [0])
    }

    /// Review helper-96 M3: replacing a transaction whose outcome is unknown counts toward the
    /// bound of `PlannedTransaction.maximumReplacements` as a fee bump does, so an executor
    /// cannot spend presignatures and raise fees without end by letting each signing run out.
    @Test func outcomeUnknownReplacementsCountTowardTheBound() throws {
        var (c, keys) = try cluster()
        let id = try base.allowed(&c)
        var fee: BigUInt = 10_000_000_000, tip: BigUInt = 200_000_000
        #expect(c.apply(try c.parameters(id, nonce: 0, maxFee: fee, tip: tip, key: executor)) == .transactionParameters(requestId: id, nonce: 0))
        c = try signButWithhold(c, keys, id).0
        runOut(&c, id)
        for round in 1...PlannedTransaction.maximumReplacements {
            #expect(c.state.transactions[id]?.status == .outcomeUnknown)
            fee = TransactionParameters.replacementFloor(fee)
            tip = TransactionParameters.replacementFloor(tip)
            #expect(c.apply(try c.parameters(id, nonce: 0, maxFee: fee, tip: tip, key: executor)) == .transactionParameters(requestId: id, nonce: 0),
                    "replacement \(round)")
            runOut(&c, id)
        }
        #expect(c.state.transactions[id]?.replacements == PlannedTransaction.maximumReplacements)
        let ninth = c.apply(try c.parameters(id, nonce: 0, maxFee: TransactionParameters.replacementFloor(fee),
                                             tip: TransactionParameters.replacementFloor(tip), key: executor))
        #expect(Cluster.reason(ninth).contains("was replaced 8 times, the most a plan may be"), "\(Cluster.reason(ninth))")
        #expect(c.state.transactions[id]?.status == .outcomeUnknown)
    }

    @Test func aLateSignatureForASessionThatRanOutStillSignsThePlan() throws {
        let (start, id, withheld) = try withheldTransfer()
        var c = start
        #expect(c.state.transactions[id]?.status == .outcomeUnknown)
        var other = c.state
        let outcome = try ecdsa.ceremony.submit(&c, .signature(vault: "hot", epoch: 0, request: id, signature: withheld), by: ecdsa.nodes[1])
        #expect(outcome == .signed(requestId: id))
        #expect(other.apply(c.log.last!.entry, blockTime: c.now) == outcome)
        #expect(other.digest == c.state.digest)
        let plan = try #require(c.state.transactions[id])
        #expect(plan.status == .signed && plan.failure == nil)
        let decoded = try EVM.SignedTransaction.decode(try #require(plan.rawTransaction))
        #expect(try decoded.recoverSender() == plan.from && decoded.transaction.nonce == 0)
        #expect(c.state.signing[id]?.status == .signed)
        // Only once: a second copy is refused.
        let again = try ecdsa.ceremony.submit(&c, .signature(vault: "hot", epoch: 0, request: id, signature: withheld), by: ecdsa.nodes[2])
        #expect(Cluster.reason(again).contains("already signed"))
    }

    @Test func aFailureBeforeAnyAttemptLeavesNoGap() throws {
        var (c, _) = try cluster()
        let first = try base.allowed(&c)
        #expect(c.apply(try c.parameters(first, nonce: 0, key: executor)) == .transactionParameters(requestId: first, nonce: 0))
        let from = c.state.transactions[first]!.from.checksummed
        // No presignature ever comes: no signer set forms, nothing leaves a node.
        runOut(&c, first)
        let failed = try #require(c.state.transactions[first])
        #expect(failed.status == .failed && c.state.signing[first]?.attempt == 0)
        #expect(failed.failure?.contains("nonce 0 is free again") == true, "\(failed.failure ?? "")")
        #expect(!c.state.windows.counts(first), "it never signed: it stops counting")
        #expect(c.state.transactions.freeNonces[TransactionBook.nonceKey(chainId: 1, address: from)] == [0])
        #expect(c.state.transactions.reservation(chainId: 1, address: from, nonce: 0) == nil)
        #expect(c.state.transactions.nextNonce(chainId: 1, address: from) == 1)
        // The next request signs at the freed nonce, not at 1: no gap that would stall the address.
        let second = try base.allowed(&c, Cluster.evmTransfer(amount: "2"))
        #expect(Cluster.reason(c.apply(try c.parameters(second, nonce: 1, key: executor))).contains("nonce 1 is not the next nonce of \(from) on ethereum (0"))
        #expect(c.apply(try c.parameters(second, nonce: 0, key: executor)) == .transactionParameters(requestId: second, nonce: 0))
        #expect(c.state.transactions.freeNonces[TransactionBook.nonceKey(chainId: 1, address: from)] == nil)
        #expect(c.state.transactions.reservation(chainId: 1, address: from, nonce: 0) == second)
        // The failed plan is not revived by parameters.
        #expect(Cluster.reason(c.apply(try c.parameters(first, nonce: 1, key: executor))).contains("already has parameters (it is failed)"))
        let third = try base.allowed(&c, Cluster.evmTransfer(amount: "3"))
        #expect(c.apply(try c.parameters(third, nonce: 1, key: executor)) == .transactionParameters(requestId: third, nonce: 1))
    }

    /// A nonce given back by a failure before any signer took part, while a later nonce of the
    /// same address is in use: every later transaction waits for it on the chain. Governance
    /// fills it with a zero-value transfer to self rather than waiting for a new request; it
    /// cannot reach a nonce in use by a signing plan, one no transaction waits for, or the same
    /// free nonce twice.
    @Test func aGovernedCancellationFillsAFreeNonce() throws {
        var (c, _) = try cluster()
        let first = try base.allowed(&c)
        let second = try base.allowed(&c, Cluster.evmTransfer(amount: "2"))
        #expect(c.apply(try c.parameters(first, nonce: 0, key: executor)) == .transactionParameters(requestId: first, nonce: 0))
        #expect(c.apply(try c.parameters(second, nonce: 1, key: executor)) == .transactionParameters(requestId: second, nonce: 1))
        let plan = try #require(c.state.transactions[first])
        let from = plan.from.checksummed
        // No presignature ever comes: both fail before any signer took part, and both nonces are free.
        runOut(&c, first)
        runOut(&c, second)
        #expect(c.state.transactions[first]?.status == .failed && c.state.transactions[second]?.status == .failed)
        #expect(c.state.transactions.freeNonces[TransactionBook.nonceKey(chainId: 1, address: from)] == [0, 1])
        // A new transfer takes nonce 0 and is signing; nonce 1 stays free below the next nonce, 2.
        let third = try base.allowed(&c, Cluster.evmTransfer(amount: "3"))
        #expect(c.apply(try c.parameters(third, nonce: 0, key: executor)) == .transactionParameters(requestId: third, nonce: 0))
        for (change, reason) in [
            (GovernanceChange.cancelNonce(vault: "hot", chain: "ethereum", address: from, nonce: 0),
             "the transaction \(third) holding it is signing, neither outcome-unknown nor signed"),
            (.cancelNonce(vault: "hot", chain: "ethereum", address: from, nonce: 2),
             "nonce 2 cannot be cancelled: it is neither reserved to a transaction of \(from) on ethereum nor free (it is not below the address's next nonce, 2: no transaction waits for it)"),
            (.cancelNonce(vault: "hot", chain: "ethereum", address: "0x1111111111111111111111111111111111111111", nonce: 1),
             "is neither reserved to a transaction of 0x1111111111111111111111111111111111111111 on ethereum nor free (it is not below the address's next nonce, 0"),
        ] {
            let (_, outcome) = try c.propose(change, by: "frank")
            #expect(Cluster.reason(outcome).contains(reason), "\(Cluster.reason(outcome))")
        }
        #expect(c.state.transactions[third]?.status == .signing)
        let (p, _) = try c.propose(.cancelNonce(vault: "hot", chain: "ethereum", address: from.lowercased(), nonce: 1), by: "frank")
        try c.approve(p, by: "grace")
        try c.approve(p, by: "erin")
        #expect(c.status(p) == .executed, "\(String(describing: c.state.operations[p.id]?.failure))")
        let cancelId = ReplicatedState.cancellationId(operationId: p.id)
        let cancel = try #require(c.state.transactions[cancelId])
        #expect(cancel.isCancellation && cancel.cancels == nil && cancel.reservedNonce == 1 && !cancel.signatureMayExist)
        #expect(cancel.status == .awaitingParameters && cancel.parametersDeadline == nil)
        #expect(cancel.from == plan.from && cancel.to == plan.from && cancel.value == 0 && cancel.data.isEmpty && cancel.path == plan.path)
        #expect(c.state.transactions.cancellations.last == cancelId)
        #expect(c.state.transactions.freeNonces[TransactionBook.nonceKey(chainId: 1, address: from)] == nil)
        #expect(c.state.transactions.reservation(chainId: 1, address: from, nonce: 1) == cancelId)
        #expect(c.state.transactions[first]?.status == .failed && c.state.transactions[second]?.status == .failed, "nothing is superseded")
        // Twice: the nonce is now the cancellation's, which no later cancellation may take before it is signed.
        let (_, twice) = try c.propose(.cancelNonce(vault: "hot", chain: "ethereum", address: from, nonce: 1), by: "frank")
        #expect(Cluster.reason(twice).contains("the transaction \(cancelId) holding it is awaiting-parameters"), "\(Cluster.reason(twice))")
        // A new request takes the next nonce, not the cancelled one; the cancellation takes only its own.
        let fourth = try base.allowed(&c, Cluster.evmTransfer(amount: "4"))
        #expect(Cluster.reason(c.apply(try c.parameters(fourth, nonce: 1, key: executor))).contains("nonce 1 is not the next nonce of \(from) on ethereum (2)"))
        #expect(Cluster.reason(c.apply(try c.parameters(cancelId, nonce: 2, key: executor))).contains("takes the cancelled nonce 1, not 2"))
        #expect(c.apply(try c.parameters(cancelId, nonce: 1, key: executor)) == .transactionParameters(requestId: cancelId, nonce: 1))
        let expected = try EVM.Transaction.eip1559(chainID: 1, nonce: 1, maxPriorityFeePerGas: 1_000_000_000, maxFeePerGas: 50_000_000_000,
                                                   gasLimit: 21_000, to: plan.from, value: 0)
        #expect(c.state.signing[cancelId]?.message == expected.signingHash)
        #expect(c.apply(try c.parameters(fourth, nonce: 2, key: executor)) == .transactionParameters(requestId: fourth, nonce: 2))
    }

    @Test func parametersAreNotAcceptedPastTheirDeadline() throws {
        var (c, _) = try cluster()
        let id = try base.allowed(&c)
        let deadline = try #require(c.state.transactions[id]?.parametersDeadline)
        #expect(deadline == c.now + PlannedTransaction.parametersWaitLimit)
        #expect(c.state.windows.counts(id))
        c.state.advance(to: deadline - 1)
        #expect(c.state.transactions[id]?.status == .awaitingParameters, "one millisecond short of the limit")
        c.state.advance(to: deadline)
        c.now = deadline
        let expired = try #require(c.state.transactions[id])
        #expect(expired.status == .expired && expired.failure?.contains("within 15 minutes") == true)
        #expect(!c.state.windows.counts(id), "it never signed: it stops counting")
        #expect(Cluster.reason(c.apply(try c.parameters(id, nonce: 0, key: executor))).contains("takes no parameters (it is expired)"))
        #expect(c.state.signing[id] == nil)
    }

    @Test func parametersAreRefusedWhenTheCurrentPolicyNoLongerAllowsTheRequest() throws {
        var (c, _) = try cluster()
        let id = try base.allowed(&c)
        let tightened = Self.policy(version: 4).replacingOccurrences(of: "amount: {up_to: 10}", with: "amount: {up_to: 1}")
        try c.govern(.changePolicy(yaml: tightened))
        let outcome = c.apply(try c.parameters(id, nonce: 0, key: executor))
        #expect(Cluster.reason(outcome).contains("is denied by the policy in force now"), "\(Cluster.reason(outcome))")
        #expect(c.state.transactions[id]?.status == .awaitingParameters && c.state.signing[id] == nil)
        // A destination taken out of the address book since the approval: refused too.
        let second = try base.allowed(&c, Cluster.evmTransfer(amount: "0.5"))
        try c.govern(.changePolicy(yaml: tightened.replacingOccurrences(of: "version: 4", with: "version: 5")
            .replacingOccurrences(of: "0x1111111111111111111111111111111111111111", with: "0x2222222222222222222222222222222222222222")))
        #expect(Cluster.reason(c.apply(try c.parameters(second, nonce: 0, key: executor))).contains("is denied by the policy in force now"))
        #expect(c.state.transactions.expectedNonce(chainId: 1, address: c.state.transactions[second]!.from.checksummed) == 0)
    }

    @Test func theMaximumFeeMeetsThePolicysFeeRules() throws {
        var (c, _) = try cluster()
        let id = try base.allowed(&c)
        // Deny a bot's transaction that may pay more than 0.002 ETH in fees.
        let policy = Self.policy(version: 4).replacingOccurrences(of: "rules:\n", with: """
            rules:
              - name: costly-fees
                match: {initiator: {kind: bot}, fee: {over: 0.002}}
                outcome: deny

            """)
        try c.govern(.changePolicy(yaml: policy))
        // 21,000 gas × 100 gwei = 0.0021 ETH: within the fee limits, denied by the fee rule.
        let outcome = c.apply(try c.parameters(id, nonce: 0, maxFee: 100_000_000_000, key: executor))
        #expect(Cluster.reason(outcome).contains("with a maximum fee of 0.0021 ETH is denied"), "\(Cluster.reason(outcome))")
        #expect(Cluster.reason(outcome).contains("costly-fees"), "\(Cluster.reason(outcome))")
        // 21,000 gas × 50 gwei = 0.00105 ETH: allowed.
        #expect(c.apply(try c.parameters(id, nonce: 0, key: executor)) == .transactionParameters(requestId: id, nonce: 0))
    }

    @Test func onlyAGovernedCancellationGivesUpAReservedNonce() throws {
        let (start, id, _) = try withheldTransfer()
        var c = start
        let plan = try #require(c.state.transactions[id])
        #expect(plan.status == .outcomeUnknown)
        let from = plan.from.checksummed
        // A nonce nobody holds, another vault, a plan still signing: refused when executed.
        // What cannot apply is refused when proposed, with the reason, and changes nothing.
        for (change, reason) in [
            (GovernanceChange.cancelNonce(vault: "hot", chain: "ethereum", address: from, nonce: 7), "neither reserved to a transaction of \(from) on ethereum nor free (it is not below the address's next nonce, 1"),
            (.cancelNonce(vault: "hot", chain: "solana", address: from, nonce: 0), "no asset is registered on chain solana"),
            (.cancelNonce(vault: "hot", chain: "ethereum", address: "0x12", nonce: 0), "is not an EVM address"),
            (.cancelNonce(vault: "cold", chain: "ethereum", address: from, nonce: 0), "no vault \"cold\""),
        ] {
            let (_, outcome) = try c.propose(change, by: "frank")
            #expect(Cluster.reason(outcome).contains(reason), "\(Cluster.reason(outcome))")
        }
        #expect(c.state.transactions[id]?.status == .outcomeUnknown)
        let (p, _) = try c.propose(.cancelNonce(vault: "hot", chain: "ethereum", address: from, nonce: 0), by: "frank")
        try c.approve(p, by: "grace")
        try c.approve(p, by: "erin")
        #expect(c.status(p) == .executed, "\(String(describing: c.state.operations[p.id]?.failure))")
        let cancelId = ReplicatedState.cancellationId(operationId: p.id)
        #expect(c.state.transactions[id]?.status == .superseded)
        #expect(c.state.transactions[id]?.failure?.contains("MAY HAVE BEEN MADE") == true)
        #expect(c.state.windows.counts(id), "the cancelled transaction may still be mined first: it keeps counting")
        let cancel = try #require(c.state.transactions[cancelId])
        #expect(cancel.status == .awaitingParameters && cancel.cancels == id && cancel.reservedNonce == 0 && cancel.parametersDeadline == nil)
        #expect(cancel.to == cancel.from && cancel.value == 0 && cancel.data.isEmpty && cancel.path == plan.path)
        #expect(c.state.transactions.reservation(chainId: 1, address: from, nonce: 0) == cancelId)
        // The superseded request takes no replacement any more; the cancellation takes only its nonce and the fee limits.
        #expect(Cluster.reason(c.apply(try c.parameters(id, nonce: 0, maxFee: 60_000_000_000, key: executor))).contains("it is superseded-unconfirmed"))
        #expect(Cluster.reason(c.apply(try c.parameters(cancelId, nonce: 1, key: executor))).contains("takes the cancelled nonce 0, not 1"))
        #expect(Cluster.reason(c.apply(try c.parameters(cancelId, nonce: 0, maxFee: 100_000_000_001, key: executor))).contains("exceeds the policy's limit"))
        #expect(c.apply(try c.parameters(cancelId, nonce: 0, key: executor)) == .transactionParameters(requestId: cancelId, nonce: 0))
        let expected = try EVM.Transaction.eip1559(chainID: 1, nonce: 0, maxPriorityFeePerGas: 1_000_000_000, maxFeePerGas: 50_000_000_000,
                                                   gasLimit: 21_000, to: plan.from, value: 0)
        #expect(c.state.signing[cancelId]?.message == expected.signingHash)
        // The nonce is never handed to a new transaction.
        #expect(c.state.transactions.expectedNonce(chainId: 1, address: from) == 1)
    }
}
