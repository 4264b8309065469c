import CustosCore
import CustosLedger

extension ReplicatedState {
    /// Routes a `request.simulation` entry: the executor's simulation is checked
    /// (`acceptSimulation`) and recorded on the plan; refused, only the refusal is recorded.
    mutating func applySimulation(_ entry: Entry) -> GovernanceOutcome {
        applyExecutorEntry(entry, { (e: Entry) throws(GovernanceError) in try TransactionSimulationEntry(e) },
                           names: { ($0.simulation.requestId, $0.executor) }, { (state: inout ReplicatedState, e) throws(GovernanceError) in try state.acceptSimulation(e) })
    }

    /// Checks an executor's simulation in this state, in order: the executor is an active bot
    /// with the `executor` role and its signature verifies; a transfer or call of a recorded
    /// request is planned (not a nonce cancellation) and still awaits its parameters; the request
    /// is allowed or waiting for approvals; the chain id and the transaction it ran
    /// (`intentDigest`) are the plan's; it was made within `TransactionSimulation.clockSkew` of
    /// the block time, after the one recorded before and at a block no older than its. It is then kept on the plan with the block
    /// time, as the latest simulation (parameters need a successful one recorded within
    /// `TransactionSimulation.freshness`). A revert of a request allowed for signing ends it
    /// there: `reverted-in-simulation`, its reason decoded by this node from the revert data, no
    /// nonce taken, and it stops counting in the limits as a transfer that expired before
    /// signing does. A revert of a request waiting for approvals is kept for the approvers to see;
    /// the executor simulates it again once it is approved.
    mutating func acceptSimulation(_ e: TransactionSimulationEntry) throws(GovernanceError) -> GovernanceOutcome {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.invalidRequest, "the simulation is refused: \(reason)") }
        let s = e.simulation
        try authenticateExecutor(e.executor, signature: e.signature, what: "the simulation",
                                 signingInput: TransactionSimulationEntry.signingInput(
                                    payload: TransactionSimulationEntry.payload(s, executor: e.executor), genesisDigest: genesisDigest))
        guard let plan = transactions[s.requestId], !plan.isCancellation, let recorded = requestBook.requests[s.requestId] else {
            throw GovernanceError(.unknownRequest, "no transfer or contract call is planned for request \(s.requestId)")
        }
        try checkExecutorEnvironment(e.executor, plan: plan)
        guard plan.status == .awaitingParameters else {
            throw refused("request \(s.requestId) is \(plan.status.rawValue); only a transaction awaiting its parameters is simulated")
        }
        let allowed = recorded.isAllowed
        guard allowed || recorded.approvals?.status == .pending else {
            throw refused("request \(s.requestId) is neither allowed nor waiting for approvals")
        }
        guard s.chainId == plan.chainId else { throw refused("chain id \(s.chainId) is not \(plan.chain)'s (\(plan.chainId))") }
        guard s.intentDigest == plan.intentDigest else {
            throw refused("it ran another transaction than request \(s.requestId)'s (its from, to, value or data differ from the committed plan)")
        }
        let skew = TransactionSimulation.clockSkew
        guard s.simulatedAt <= time + skew, time <= s.simulatedAt + skew else {
            throw refused("it was made at \(s.simulatedAt) ms, more than \(skew / 1000) s from the block time \(time) ms "
                          + "(a simulation is recorded as it is made, not held back or replayed)")
        }
        if let earlier = plan.simulation {
            guard s.blockNumber >= earlier.blockNumber else {
                throw refused("it ran at block \(s.blockNumber), before the simulation already recorded (block \(earlier.blockNumber))")
            }
            guard s.simulatedAt > earlier.simulatedAt else {
                throw refused("it was made at \(s.simulatedAt) ms, not after the simulation already recorded (\(earlier.simulatedAt) ms)")
            }
        }
        var updated = plan
        updated.simulation = s
        updated.simulatedAt = time
        if s.outcome == .reverted && allowed {
            updated.status = .revertedInSimulation
            updated.parametersDeadline = nil
            updated.failure = "its simulation at block \(s.blockNumber) (0x\(s.blockHash.hexString)) reverted: \(s.revertReason!); "
                + "it was not signed, took no nonce and stopped counting in the limits"
            transactions[s.requestId] = updated
            windows.release(s.requestId)
        } else {
            transactions[s.requestId] = updated
        }
        return .simulated(requestId: s.requestId, outcome: s.outcome)
    }
}
