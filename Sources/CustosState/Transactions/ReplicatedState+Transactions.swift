import BigInt
import CustosChains
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosMPC
import CustosPolicy

extension ReplicatedState {
    /// Routes a `request.parameters` entry: the executor's parameters are checked
    /// (`acceptParameters`) and, accepted, start the signing of the transaction every node built
    /// itself; refused, only the refusal is recorded, with the reason naming the parameter.
    mutating func applyParameters(_ entry: Entry) -> GovernanceOutcome {
        do {
            let decoded = try TransactionParametersEntry(entry)
            do {
                return try acceptParameters(decoded)
            } catch {
                record(Refusal(blockTime: time, kind: entry.kind, operationId: decoded.parameters.requestId, user: decoded.executor, error: error))
                return .refused(error)
            }
        } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: nil, error: error))
            return .refused(error)
        }
    }

    /// Checks an executor's parameters in this state, in order: the executor is an active bot
    /// with the `executor` role and its signature verifies; the request is recorded with a
    /// planned transaction still awaiting parameters, the policy allowed it (or its approvals
    /// did) and signing is not frozen; the chain id is the chain's; the nonce is the sender's
    /// tracked next nonce on that chain; the gas limit is exactly 21,000 for a plain native
    /// transfer and from 21,000 to the policy's `max_gas_limit` otherwise; the priority fee is
    /// not above the fee cap, and neither is above the policy's `fee_limits` for the chain (a
    /// chain without fee limits accepts none). Then the sender's next nonce moves on, the
    /// EIP-1559 transaction and its signing hash are built from the planned transaction and
    /// the parameters, and the vault's signing of that hash starts at the sender's derivation
    /// path. Nothing changes when a check fails; the error names the parameter.
    mutating func acceptParameters(_ e: TransactionParametersEntry) throws(GovernanceError) -> GovernanceOutcome {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.invalidRequest, "the transaction parameters are refused: \(reason)") }
        let p = e.parameters
        guard let bot = bots[e.executor] else { throw GovernanceError(.unknownBot, "no bot \"\(e.executor.printable(limit: 64))\" is registered") }
        guard bot.active else { throw GovernanceError(.inactiveBot, "bot \"\(bot.id)\" has been removed") }
        guard bot.roles.contains(TransactionParametersEntry.executorRole) else {
            throw GovernanceError(.notPermitted, "bot \(bot.id) does not hold the \(TransactionParametersEntry.executorRole) role")
        }
        let payload = TransactionParametersEntry.payload(p, executor: e.executor)
        guard bot.key.isValidSignature(e.signature, for: TransactionParametersEntry.signingInput(payload: payload, genesisDigest: genesisDigest)) else {
            throw GovernanceError(.requestRefused, "the signature of bot \(bot.id) over the parameters does not verify")
        }
        guard let plan = transactions[p.requestId] else { throw GovernanceError(.unknownRequest, "no transaction is planned for request \(p.requestId)") }
        guard plan.status == .awaitingParameters else { throw refused("request \(p.requestId) already has parameters (it is \(plan.status.rawValue))") }
        guard requestBook.requests[p.requestId]?.isAllowed == true else { throw refused("request \(p.requestId) is not allowed to be signed") }
        guard !frozen else { throw refused("signing is frozen") }
        guard p.chainId == plan.chainId else { throw refused("chain id \(p.chainId) is not \(plan.chain)'s (\(plan.chainId))") }
        let next = transactions.nextNonce(chainId: plan.chainId, address: plan.from.checksummed)
        guard p.nonce == next else {
            throw refused("nonce \(p.nonce) is not the next nonce of \(plan.from.checksummed) on \(plan.chain) (\(next))")
        }
        guard let limit = document.feeLimits.first(where: { $0.chain.value == plan.chain }) else {
            throw refused("the policy sets no fee limit for \(plan.chain)")
        }
        if plan.data.isEmpty {
            guard p.gasLimit == PlannedTransaction.nativeTransferGas else {
                throw refused("gas limit \(p.gasLimit) is not \(PlannedTransaction.nativeTransferGas), a plain transfer's")
            }
        } else {
            guard p.gasLimit >= PlannedTransaction.nativeTransferGas, p.gasLimit <= UInt64(limit.maxGasLimit) else {
                throw refused("gas limit \(p.gasLimit) is outside \(PlannedTransaction.nativeTransferGas) to \(limit.maxGasLimit) on \(plan.chain)")
            }
        }
        guard p.maxPriorityFeePerGas <= p.maxFeePerGas else {
            throw refused("max priority fee per gas \(p.maxPriorityFeePerGas) wei exceeds max fee per gas \(p.maxFeePerGas) wei")
        }
        let cap = Self.wei(gwei: limit.maxFeePerGasGwei), tip = Self.wei(gwei: limit.maxPriorityFeePerGasGwei)
        guard p.maxFeePerGas <= cap else {
            throw refused("max fee per gas \(p.maxFeePerGas) wei exceeds the policy's limit on \(plan.chain), \(cap) wei (\(limit.maxFeePerGasGwei) gwei)")
        }
        guard p.maxPriorityFeePerGas <= tip else {
            throw refused("max priority fee per gas \(p.maxPriorityFeePerGas) wei exceeds the policy's limit on \(plan.chain), \(tip) wei (\(limit.maxPriorityFeePerGasGwei) gwei)")
        }
        let hash: [UInt8]
        do { hash = try plan.transaction(p).signingHash } catch { throw refused(error.reason) }
        var planned = plan
        planned.parameters = p
        planned.signingHash = hash
        planned.status = .signing
        transactions.setNextNonce(p.nonce + 1, chainId: plan.chainId, address: plan.from.checksummed)
        transactions[p.requestId] = planned
        do { try startSigning(request: p.requestId, vault: plan.vault, message: hash, path: plan.path) } catch {
            transactions[p.requestId]!.status = .failed
            transactions[p.requestId]!.failure = error.reason
            // It failed before broadcast: it stops counting in the windows.
            windows.release(p.requestId)
        }
        return .transactionParameters(requestId: p.requestId, nonce: p.nonce)
    }

    /// Records the signed raw transaction of a request whose signature every node verified:
    /// the planned transaction with its parameters and the 65-byte signature (r ‖ s ‖ y-parity).
    mutating func recordSignedTransaction(_ request: String, signature: [UInt8]) {
        guard var plan = transactions[request], plan.status == .signing, let p = plan.parameters else { return }
        do {
            guard signature.count == 65 else { throw GovernanceError(.malformed, "an ECDSA signature has 65 bytes, not \(signature.count)") }
            let recoverable = try Secp256k1.ECDSA.RecoverableSignature(r: signature[0..<32], s: signature[32..<64], recoveryID: signature[64])
            plan.rawTransaction = try plan.transaction(p).attaching(recoverable).encoded
            plan.status = .signed
        } catch {
            plan.status = .failed
            plan.failure = "the signature does not make a transaction: \(error)"
        }
        transactions[request] = plan
    }

    /// Marks the planned transaction of a signing session that failed.
    mutating func recordFailedTransaction(_ request: String, reason: String) {
        guard var plan = transactions[request], plan.status == .signing else { return }
        plan.status = .failed
        plan.failure = reason
        transactions[request] = plan
    }

    /// `gwei` (at most 9 fractional digits, as the policy checker requires) in wei.
    static func wei(gwei: FixedDecimal) -> BigUInt {
        guard gwei.raw > 0 else { return 0 }
        return BigUInt(gwei.raw / 1_000_000_000)
    }
}
