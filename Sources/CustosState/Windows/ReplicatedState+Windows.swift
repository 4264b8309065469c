import CustosCore
import CustosPolicy

extension ReplicatedState {
    /// What the policy reads at block time `time` (milliseconds) for `request`: the time, the
    /// freeze flag, the windows' totals, the history of its destination, the price of its asset
    /// (or why it has none) and, for a bot, when its key was last set.
    public func snapshot(for request: PolicyRequest, at time: UInt64) -> StateSnapshot {
        requestAuthority.snapshot(for: request, blockTime: time)
    }

    /// Counts a request just approved for signing (allowed when decided, or by its last
    /// approval) in the windows, at the price it was approved with.
    mutating func countInWindows(_ recorded: RecordedRequest) {
        guard let charge = windowCharge(for: recorded.request) else { return }
        windows.count(recorded.id, request: recorded.request, charge: charge, in: windowEnvironment(of: recorded.request), at: time)
    }

    /// The environment whose windows `request` reads and counts in (`WindowsRoom`): its vault's;
    /// for a vault the state does not know, its initiating bot's; else development, as for a bot
    /// registered without one (`DeploymentEnvironment.unnamedBot`). Unlike a price's source
    /// (`sourceEnvironment`, production when unknown: no development price may reach it), a
    /// request of no known environment must not fill production's totals nor make its
    /// destination "seen" for production's novelty rules.
    static func windowEnvironment(of request: PolicyRequest, vaults: [String: Vault], bots: [String: GovernedBot]) -> DeploymentEnvironment {
        vaults[request.vault]?.environment ?? bots[request.initiator]?.environment ?? .unnamedBot
    }

    /// `windowEnvironment(of:vaults:bots:)` with this state's vaults and bots.
    func windowEnvironment(of request: PolicyRequest) -> DeploymentEnvironment {
        Self.windowEnvironment(of: request, vaults: vaults, bots: bots)
    }

    /// What `request` adds to the windows now: its keys, and its USD notional at the median the
    /// decision used. Reads no window, so that counting it right after copies none.
    private func windowCharge(for request: PolicyRequest) -> WindowCharge? {
        var priced = StateSnapshot(time: Int64(time / 1000))
        if case .success(let median) = prices.median(of: request.asset, in: sourceEnvironment(of: request), policy: policy.document.prices, at: priced.time),
           policy.document.prices.refusal(of: median) == nil
        {
            priced.prices[request.asset] = median.usd
        }
        return policy.windowCharge(for: request, in: priced)
    }

    /// Records a signing session that failed. A session that never reached a signer set (attempt
    /// 0: no nonce or presignature was ever handed out) failed before any signature could exist,
    /// so its request stops counting in the windows, and its transaction is `failed` with its
    /// nonce free again — unless an earlier session of the same transaction had signers, which
    /// leaves a signature possible. Once an attempt ran, the signers may have made a signature
    /// that the log never saw — a gateway can withhold the entry carrying it and broadcast the
    /// transaction itself — so the request keeps counting and its transaction is
    /// `outcome-unknown`, its nonce reserved to it: a failure the gateway can bring about must
    /// never hand back the limit it spent, nor the nonce for a second transaction.
    mutating func failSigning(_ session: SigningSession) {
        signing[session.requestId] = session
        let attempted = session.attempt > 0
        let signatureMayExist = attempted || transactions[session.requestId]?.signatureMayExist == true
        if !signatureMayExist { windows.release(session.requestId) }
        recordFailedTransaction(
            session.requestId,
            reason: (session.failure ?? "signing failed")
                + (signatureMayExist ? "; a signature may exist, so it keeps counting in the limits" : ""),
            attempted: attempted)
    }
}
