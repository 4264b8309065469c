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
        applyExecutorEntry(entry, { (e: Entry) throws(GovernanceError) in try TransactionParametersEntry(e) },
                           names: { ($0.parameters.requestId, $0.executor) }, { (state: inout ReplicatedState, e) throws(GovernanceError) in try state.acceptParameters(e) })
    }

    /// Decodes an executor's entry with `decode` and applies it with `accept`; a refusal is
    /// recorded with the request and the executor `names` reads from it (neither when it does
    /// not decode) and changes nothing else.
    mutating func applyExecutorEntry<Decoded>(
        _ entry: Entry, _ decode: (Entry) throws(GovernanceError) -> Decoded, names: (Decoded) -> (request: String, executor: String),
        _ accept: (inout ReplicatedState, Decoded) throws(GovernanceError) -> GovernanceOutcome
    ) -> GovernanceOutcome {
        let decoded: Decoded
        do { decoded = try decode(entry) } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: nil, error: error))
            return .refused(error)
        }
        do { return try accept(&self, decoded) } catch {
            let (request, executor) = names(decoded)
            record(Refusal(blockTime: time, kind: entry.kind, operationId: request, user: executor, error: error))
            return .refused(error)
        }
    }

    /// Checks an executor's parameters in this state, in order: the executor is an active bot
    /// with the `executor` role and its signature verifies; a planned transaction awaits
    /// parameters, or is `outcome-unknown` or `signed` without a receipt (a replacement; a signed
    /// one only as `checkFeeBump` allows); signing is not frozen and the vault
    /// is active; the chain id is the chain's; the nonce is the one the plan must take — for a
    /// new transaction the sender's lowest free nonce, else its next nonce; for a replacement
    /// the nonce already reserved to it, with fees at least 12.5 % above the replaced ones; for a
    /// governed cancellation the cancelled nonce; a new transaction (not a replacement nor a
    /// cancellation) has a successful simulation recorded within `TransactionSimulation.freshness`
    /// of block time; the gas limit is exactly 21,000 for a plain native transfer and from
    /// 21,000 to the policy's `max_gas_limit` otherwise (a deployment at least 53,000), for a new contract call at least its
    /// simulation's gas plus 10 % (`TransactionParameters.gasFloor`); the priority
    /// fee is not above the fee cap, and neither is above the policy's `fee_limits` for the
    /// chain (a chain without fee limits accepts none). A transfer or call must then still be
    /// allowed by the policy and address book in force now, with its maximum fee (gas limit ×
    /// max fee per gas, in the chain's native asset) and its counted approvals, the windows
    /// read without its own charge (`recheck`). Then the nonce is taken and reserved to the
    /// plan, the EIP-1559 transaction and its signing hash are built from the planned
    /// transaction and the parameters, and the vault's signing of that hash starts at the
    /// sender's derivation path (a replacement's new session takes the place of the failed
    /// one; a fee bump keeps the replaced hash in `replacedTransactions`); a deployment's
    /// contract address follows from the nonce and is recorded before anything is signed. Nothing changes when a check fails; the error names what is wrong.
    mutating func acceptParameters(_ e: TransactionParametersEntry) throws(GovernanceError) -> GovernanceOutcome {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.invalidRequest, "the transaction parameters are refused: \(reason)") }
        let p = e.parameters
        try authenticateExecutor(e.executor, signature: e.signature, what: "the parameters",
                                 signingInput: TransactionParametersEntry.signingInput(
                                    payload: TransactionParametersEntry.payload(p, executor: e.executor), genesisDigest: genesisDigest))
        guard let plan = transactions[p.requestId] else { throw GovernanceError(.unknownRequest, "no transaction is planned for request \(p.requestId)") }
        try checkExecutorEnvironment(e.executor, plan: plan)
        let bumping = plan.status == .signed && plan.receipt == nil
        let replacing = plan.status == .outcomeUnknown || bumping
        guard plan.status == .awaitingParameters || replacing else {
            throw refused("request \(p.requestId) " + (plan.parameters == nil ? "takes no parameters" : "already has parameters")
                + " (it is \(plan.status.rawValue))")
        }
        if replacing { try checkReplacement(of: plan) }
        var recorded: RecordedRequest? = nil
        if !plan.isCancellation {
            recorded = requestBook.requests[p.requestId]
            guard recorded?.isAllowed == true else { throw refused("request \(p.requestId) is not allowed to be signed") }
        }
        guard !frozen else { throw refused("signing is frozen") }
        guard vaults[plan.vault]?.status == .active else { throw refused("vault \(plan.vault) is not active") }
        guard p.chainId == plan.chainId else { throw refused("chain id \(p.chainId) is not \(plan.chain)'s (\(plan.chainId))") }
        let from = plan.from.checksummed
        if replacing, let old = plan.parameters {
            guard p.nonce == old.nonce else {
                throw refused("request \(p.requestId) may already be signed at nonce \(old.nonce) (its outcome is unknown), so a replacement takes nonce \(old.nonce), not \(p.nonce)")
            }
            let feeFloor = TransactionParameters.replacementFloor(old.maxFeePerGas)
            let tipFloor = TransactionParameters.replacementFloor(old.maxPriorityFeePerGas)
            guard p.maxFeePerGas >= feeFloor, p.maxPriorityFeePerGas >= tipFloor else {
                throw refused("a replacement's fees are at least 12.5 % above the replaced transaction's, as mempools require (max fee per gas at least \(feeFloor) wei, max priority fee per gas at least \(tipFloor) wei)")
            }
            // A lower gas limit could make the replacement run out of gas and revert while still
            // using the nonce: the payment would show signed and never happen.
            guard p.gasLimit >= old.gasLimit else {
                throw refused("a replacement's gas limit is at least the replaced transaction's (\(old.gasLimit)), not \(p.gasLimit)")
            }
        } else if let reserved = plan.reservedNonce {
            guard p.nonce == reserved else { throw refused("the cancellation \(p.requestId) takes the cancelled nonce \(reserved), not \(p.nonce)") }
        } else {
            let expected = transactions.expectedNonce(chainId: plan.chainId, address: from)
            guard p.nonce == expected else {
                throw refused("nonce \(p.nonce) is not the next nonce of \(from) on \(plan.chain) (\(expected)); a new transaction takes its lowest free nonce, else the nonce after its last")
            }
        }
        if !plan.isCancellation && !replacing {
            guard let simulation = plan.simulation, let at = plan.simulatedAt, simulation.outcome == .success else {
                throw refused("request \(p.requestId) has no successful simulation recorded; the executor runs it (request.simulation) before proposing parameters")
            }
            guard time <= at + TransactionSimulation.freshness else {
                throw refused("request \(p.requestId)'s simulation (block \(simulation.blockNumber)) is older than \(TransactionSimulation.freshness / 60_000) minutes of block time; simulate it again")
            }
            // Review M2: a limit the simulation shows too low would be mined reverted, which may
            // freeze signing. A plain transfer to an address without code takes exactly 21,000;
            // one to a contract (a Safe, a smart wallet) what its simulation shows, like a call
            // (review helper-113 M4).
            let floor = TransactionParameters.gasFloor(simulated: simulation.gasUsed)
            if plan.data.isEmpty, simulation.gasUsed <= PlannedTransaction.nativeTransferGas {
                guard p.gasLimit == PlannedTransaction.nativeTransferGas else {
                    throw refused("gas limit \(p.gasLimit) is not \(PlannedTransaction.nativeTransferGas), a plain transfer's to an address its simulation shows runs no code")
                }
            } else if p.gasLimit < floor {
                throw refused("gas limit \(p.gasLimit) is below \(floor), the gas request \(p.requestId)'s simulation used (\(simulation.gasUsed) at block "
                              + "\(simulation.blockNumber)) plus 10 %; it would likely run out of gas and be mined reverted")
            }
        }
        if plan.to == nil, p.gasLimit < PlannedTransaction.creationGas {
            throw refused("gas limit \(p.gasLimit) is below \(PlannedTransaction.creationGas), the least a contract creation pays (EIP-2)")
        }
        try checkFeeLimits(p, of: plan)
        if let recorded { try recheck(recorded, plan: plan, maximumFee: try maximumFee(p, of: plan)) }
        let hash: [UInt8]
        do { hash = try plan.transaction(p).signingHash } catch { throw refused(error.reason) }
        // A replacement's (or a cancellation's) session takes the place of the one that failed;
        // should the vault refuse the new one, nothing changes.
        let earlier = signing[p.requestId]
        if replacing || plan.isCancellation { signing[p.requestId] = nil }
        var planned = plan
        if bumping, let replaced = plan.transactionHash {
            // The replaced transaction stays valid on the chain until one at its nonce is mined.
            planned.replacedTransactions.append(replaced)
            if let old = plan.parameters { planned.replacedParameters.append(old) }
            planned.rawTransaction = nil
            planned.signedAt = nil
            planned.signatureMayExist = true
        }
        planned.parameters = p
        planned.parametersAt = time
        if plan.deployment != nil { planned.contractAddress = .created(by: plan.from, nonce: p.nonce) }
        if replacing { planned.replacements += 1 }
        planned.signingHash = hash
        planned.status = .signing
        planned.failure = nil
        planned.parametersDeadline = nil
        transactions[p.requestId] = planned
        do { try startSigning(request: p.requestId, vault: plan.vault, message: hash, path: plan.path) } catch {
            signing[p.requestId] = earlier
            transactions[p.requestId] = plan
            throw refused(error.reason)
        }
        if !replacing && plan.reservedNonce == nil {
            transactions.take(p.nonce, chainId: plan.chainId, address: from, for: p.requestId)
        }
        return .transactionParameters(requestId: p.requestId, nonce: p.nonce)
    }

    /// Whether a plan may be replaced now, by a fee bump of its signed transaction or a
    /// replacement of one whose outcome is unknown: its parameters were accepted and it was signed
    /// (if it was) at least `PlannedTransaction.replacementInterval` of block time ago (no node
    /// sees the chain, so the executor judges it stuck; this bounds how often it can), and fewer
    /// than `PlannedTransaction.maximumReplacements` replacements of either kind were accepted
    /// (review helper-96 M3: outcome-unknown replacements count too).
    private func checkReplacement(of plan: PlannedTransaction) throws(GovernanceError) {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.invalidRequest, "the transaction parameters are refused: \(reason)") }
        guard plan.replacements < PlannedTransaction.maximumReplacements else {
            throw refused("request \(plan.requestId) was replaced \(plan.replacements) times, the most a plan may be")
        }
        let since = max(plan.signedAt ?? 0, plan.parametersAt ?? 0)
        guard time >= since + PlannedTransaction.replacementInterval else {
            throw refused("request \(plan.requestId) was " + (plan.signedAt != nil ? "signed" : "given parameters")
                + " \((time - min(time, since)) / 1000) s ago; a transaction is replaced "
                + "only \(PlannedTransaction.replacementInterval / 1000) s of block time after it was signed or last given parameters")
        }
    }

    /// Checks that `executor` is an active bot with the `executor` role whose registered key made
    /// `signature` over `signingInput` (`what` names what was signed in the error).
    func authenticateExecutor(_ executor: String, signature: [UInt8], what: String, signingInput: [UInt8]) throws(GovernanceError) {
        guard let bot = bots[executor] else { throw GovernanceError(.unknownBot, "no bot \"\(executor.printable(limit: 64))\" is registered") }
        guard bot.active else { throw GovernanceError(.inactiveBot, "bot \"\(bot.id)\" has been removed") }
        guard bot.roles.contains(TransactionParametersEntry.executorRole) else {
            throw GovernanceError(.notPermitted, "bot \(bot.id) does not hold the \(TransactionParametersEntry.executorRole) role")
        }
        guard bot.key.isValidSignature(signature, for: signingInput) else {
            throw GovernanceError(.requestRefused, "the signature of bot \(bot.id) over \(what) does not verify", requestSigning: .badSignature)
        }
    }

    /// Refuses an executor of another environment than the plan's vault: a staging or
    /// development executor's parameters, simulations and receipts never touch a production
    /// transaction (review helper-107 M1).
    func checkExecutorEnvironment(_ executor: String, plan: PlannedTransaction) throws(GovernanceError) {
        guard let bot = bots[executor], let vault = vaults[plan.vault], bot.environment != vault.environment else { return }
        throw GovernanceError(
            .notPermitted, "executor \(bot.id) is a \(bot.environment.rawValue) bot and vault \(vault.id) a \(vault.environment.rawValue) vault: environments never mix")
    }

    /// The policy's `fee_limits` for the plan's chain: the gas limit (exactly 21,000 for a
    /// cancellation, else 21,000 to `max_gas_limit`: a plain transfer's is then held to its
    /// simulation in `acceptParameters`), the fee cap and the priority fee.
    private func checkFeeLimits(_ p: TransactionParameters, of plan: PlannedTransaction) throws(GovernanceError) {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.invalidRequest, "the transaction parameters are refused: \(reason)") }
        guard let limit = document.feeLimits.first(where: { $0.chain.value == plan.chain }) else {
            throw refused("the policy sets no fee limit for \(plan.chain)")
        }
        if plan.isCancellation {
            guard p.gasLimit == PlannedTransaction.nativeTransferGas else {
                throw refused("gas limit \(p.gasLimit) is not \(PlannedTransaction.nativeTransferGas), a cancellation's")
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
    }

    /// The registered native asset of `chain`, if any.
    func nativeAsset(of chain: String) -> RegisteredAsset? {
        assets.values.first { $0.chain == chain && $0.contract == nil }
    }

    /// The most the transaction can pay in fees, gas limit × max fee per gas, in the chain's
    /// native asset (its registered decimals, 18 if none is registered), as a policy decimal.
    func maximumFee(_ p: TransactionParameters, of plan: PlannedTransaction) throws(GovernanceError) -> FixedDecimal {
        let decimals = Int(nativeAsset(of: plan.chain)?.decimals ?? 18)
        let wei = BigUInt(p.gasLimit) * p.maxFeePerGas
        let scaled = decimals <= FixedDecimal.scale
            ? wei * BigUInt(10).power(FixedDecimal.scale - decimals)
            : (wei + BigUInt(10).power(decimals - FixedDecimal.scale) - 1) / BigUInt(10).power(decimals - FixedDecimal.scale)
        guard let raw = Int128(String(scaled)) else {
            throw GovernanceError(.invalidRequest, "the transaction parameters are refused: the maximum fee \(wei) wei is too large for the policy's decimals")
        }
        return FixedDecimal(raw: raw)
    }

    /// Whether `recorded` is still allowed by the policy, address book and freeze flag in force
    /// now, with `maximumFee` as its fee and the approvals that count now, the windows read
    /// without its own charge (it counts already). Deny, or a need for approvals it does not
    /// have, refuses the parameters with the policy's reason.
    private func recheck(_ recorded: RecordedRequest, plan: PlannedTransaction, maximumFee: FixedDecimal) throws(GovernanceError) {
        var current = recorded.request
        current.fee = maximumFee
        if recorded.approvals != nil { current.approvals = countedApprovers(of: recorded) }
        let now = requestAuthority.evaluate(current, blockTime: time, deciding: recorded.id)
        let what = "the transaction parameters are refused: request \(recorded.id) with a maximum fee of \(maximumFee) \(nativeAsset(of: plan.chain)?.symbol ?? "in \(plan.chain)'s native asset")"
        switch now.outcome {
        case .allow:
            return
        case .deny:
            throw GovernanceError(.notPermitted, "\(what) is denied by the policy in force now: \(Self.describe(now.reason))")
        case .needsApprovals:
            let groups = now.pending.map { "\($0.count) of \($0.group) (rule \($0.rule))" }.joined(separator: ", ")
            throw GovernanceError(.notPermitted, "\(what) needs approvals under the policy in force now that it does not have: \(groups)")
        }
    }

    /// Starts the wait of an approved transfer's or call's plan for its parameters: they must be
    /// accepted within `PlannedTransaction.parametersWaitLimit` of block time from now.
    mutating func awaitParameters(_ request: String) {
        guard var plan = transactions[request], plan.status == .awaitingParameters, !plan.isCancellation else { return }
        plan.parametersDeadline = time + PlannedTransaction.parametersWaitLimit
        transactions[request] = plan
    }

    /// Expires every plan whose deadline for parameters passed by the state's block time, in
    /// request-id order: it never signed, so its request stops counting in the windows.
    mutating func expireParameters() {
        for var plan in transactions.awaiting where plan.parametersDeadline! <= time {
            plan.status = .expired
            plan.failure = "no parameters were accepted within \(PlannedTransaction.parametersWaitLimit / 60_000) minutes of its approval; submit the request again"
            plan.parametersDeadline = nil
            transactions[plan.requestId] = plan
            windows.release(plan.requestId)
        }
    }

    /// Records the signed raw transaction of a request whose signature every node verified:
    /// the planned transaction with its parameters and the 65-byte signature (r ‖ s ‖ y-parity).
    /// A plan whose outcome was unknown becomes signed too: the signature was made after all.
    mutating func recordSignedTransaction(_ request: String, signature: [UInt8]) {
        guard var plan = transactions[request], plan.status == .signing || plan.status == .outcomeUnknown, let p = plan.parameters else { return }
        do {
            guard signature.count == 65 else { throw GovernanceError(.malformed, "an ECDSA signature has 65 bytes, not \(signature.count)") }
            let recoverable = try Secp256k1.ECDSA.RecoverableSignature(r: signature[0..<32], s: signature[32..<64], recoveryID: signature[64])
            plan.rawTransaction = try plan.transaction(p).attaching(recoverable).encoded
            plan.status = .signed
            plan.signedAt = time
            plan.failure = nil
        } catch {
            plan.status = .outcomeUnknown
            plan.signatureMayExist = true
            plan.failure = "the signature does not make a transaction: \(error)"
        }
        transactions[request] = plan
    }

    /// Records the failed signing of a plan. Before any signer set formed for it (and for no
    /// earlier session of it either), no signature can exist: the plan is `failed` and its
    /// nonce goes back to the sender's free nonces. Otherwise a signature may exist outside the
    /// log: the plan is `outcome-unknown` and its nonce stays reserved to it.
    mutating func recordFailedTransaction(_ request: String, reason: String, attempted: Bool) {
        guard var plan = transactions[request], plan.status == .signing, let p = plan.parameters else { return }
        if attempted || plan.signatureMayExist {
            plan.status = .outcomeUnknown
            plan.signatureMayExist = true
            plan.failure = reason + "; a signature at nonce \(p.nonce) may exist, so the nonce stays reserved to it: propose replacement parameters at that nonce, or cancel the nonce through governance"
        } else {
            plan.status = .failed
            plan.failure = reason + "; no signer took part, so nonce \(p.nonce) is free again"
            transactions.free(p.nonce, chainId: plan.chainId, address: plan.from.checksummed)
        }
        transactions[request] = plan
    }

    /// `gwei` (at most 9 fractional digits, as the policy checker requires) in wei.
    package static func wei(gwei: FixedDecimal) -> BigUInt {
        guard gwei.raw > 0 else { return 0 }
        return BigUInt(gwei.raw / 1_000_000_000)
    }
}
