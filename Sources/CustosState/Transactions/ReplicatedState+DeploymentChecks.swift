import CustosCore
import CustosLedger
import CustosPolicy

extension ReplicatedState {
    /// Routes a `request.deployment-check` entry (`applyMemberCheck`, `acceptDeploymentCheck`).
    mutating func applyDeploymentCheck(_ entry: Entry) -> GovernanceOutcome {
        applyMemberCheck(entry, { (e: Entry) throws(GovernanceError) in try DeploymentCheckEntry(e) }, request: \.requestId) {
            (state: inout ReplicatedState, check, member) throws(GovernanceError) in try state.acceptDeploymentCheck(check, from: member)
        }
    }

    /// Checks a member's reading of a deployment, in order: a deployment is planned under the id,
    /// mined with a receipt the members' checks confirmed (never on the executor's word alone);
    /// the reading has one answer per expected call (at the block the member's own endpoint mined
    /// it in, which it names: the receipt's block number is the executor's word); this member
    /// has not read it yet. The reading is compared with the request
    /// (`PlannedTransaction.deploymentDifferences`) and kept on the plan. Among the checks of
    /// current members, the first f+1 that match make the deployment `verified`; the first f+1
    /// that differ make it `mismatch` and raise a `deployment-mismatch` alert naming what the
    /// f+1-th found different and the members who read it so, which freezes signing when the
    /// policy's `alerts.freeze_on` names it. Nothing changes when a check fails.
    mutating func acceptDeploymentCheck(_ c: DeploymentCheckEntry, from member: String) throws(GovernanceError) -> GovernanceOutcome {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.invalidRequest, "the deployment check is refused: \(reason)") }
        guard var plan = transactions[c.requestId], let deployment = plan.deployment else {
            throw GovernanceError(.unknownRequest, "no deployment is planned for request \(c.requestId)")
        }
        guard plan.status == .mined, plan.receipt != nil, plan.receiptVerdict == .confirmed, plan.contractAddress != nil else {
            throw refused("request \(c.requestId)'s deployment has no receipt the members confirmed (it is \(plan.status.rawValue))")
        }
        guard c.results.count == deployment.expectedState.count else {
            throw refused("it carries \(c.results.count) answers; the request expects \(deployment.expectedState.count) calls")
        }
        guard !plan.deploymentChecks.contains(where: { $0.member == member }) else {
            throw refused("\(member) already checked the deployment of request \(c.requestId)")
        }
        let differences = plan.deploymentDifferences(codeHash: c.codeHash, results: c.results)
        plan.deploymentChecks.append(DeploymentCheck(member: member, codeHash: c.codeHash, results: c.results, differences: differences, height: height))
        let wasOpen = plan.deploymentVerdict == nil
        if wasOpen {
            plan.deploymentVerdict = quorum(of: plan.deploymentChecks.map { ($0.member, $0.matches) }).map { $0 ? .verified : .mismatch }
        }
        transactions[c.requestId] = plan
        if wasOpen, plan.deploymentVerdict == .mismatch {
            let differing = plan.deploymentChecks.filter { !$0.matches }.map(\.member)
            alerts.raise(.deploymentMismatch, plan: plan, codes: differences.map(\.code), basis: .checked, members: differing, height: height, time: time)
            if frozenBy == nil, document.alerts.freezeOn.contains(Alert.Kind.deploymentMismatch.rawValue),
               let alert = alerts.alert(.deploymentMismatch, request: plan.requestId) {
                frozen = true
                frozenBy = AutomaticFreeze(alert: alert.id, kind: .deploymentMismatch, requestId: plan.requestId, height: height, blockTime: time)
            }
        }
        return .deploymentChecked(requestId: c.requestId, matches: differences.isEmpty, verdict: wasOpen ? plan.deploymentVerdict : nil)
    }

    /// The confirmed deployments `member` has not read, among those not settled yet
    /// (`TransactionBook.awaitingDeploymentChecks`, an index), by request id; none for a node
    /// that is not a current member.
    public func deploymentsToCheck(by member: String) -> [DeploymentToCheck] {
        guard members.contains(where: { $0.id.rawValue == member }) else { return [] }
        return transactions.awaitingDeploymentChecks.compactMap { plan in
            guard let deployment = plan.deployment, let contract = plan.contractAddress, let receipt = plan.receipt,
                  !plan.deploymentChecks.contains(where: { $0.member == member }), let environment = vaults[plan.vault]?.environment
            else { return nil }
            return DeploymentToCheck(requestId: plan.requestId, chain: plan.chain, chainId: plan.chainId, environment: environment,
                                     transactionHash: receipt.transactionHash, contract: contract, calls: deployment.expectedState.map(\.calldata))
        }
    }
}
