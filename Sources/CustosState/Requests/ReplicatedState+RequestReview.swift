import CustosCore
import CustosPolicy

extension ReplicatedState {
    /// `RequestReview` of `recorded` at this state's block time: the policy's explanation in
    /// words (`CompiledPolicy.explain`) and the flags made from its decision. For the console,
    /// the CLI and the API; a node's state transition reads `flags(of:)`.
    public func review(of recorded: RecordedRequest) -> RequestReview {
        let (request, snapshot) = reviewed(recorded)
        let explanation = policy.explain(request, in: snapshot)
        return RequestReview(explanation: explanation, facts: flags(of: recorded, request: request, snapshot: snapshot, decision: explanation.decision))
    }

    /// `RequestFlags` of `recorded` at this state's block time, from the policy's decision alone
    /// (`CompiledPolicy.evaluate`, which formats no text): what every node's batch check reads.
    /// The same flags as `review(of:)`'s, made by the same function from the same decision.
    public func flags(of recorded: RecordedRequest) -> RequestFlags {
        let (request, snapshot) = reviewed(recorded)
        return flags(of: recorded, request: request, snapshot: snapshot, decision: policy.evaluate(request, in: snapshot))
    }

    /// The request as the policy reads it now (its counted approvals) and the snapshot it reads.
    private func reviewed(_ recorded: RecordedRequest) -> (PolicyRequest, StateSnapshot) {
        var request = recorded.request
        request.approvals = countedApprovers(of: recorded)
        return (request, requestAuthority.snapshot(for: request, blockTime: time))
    }

    /// The one function that says what is unusual about `recorded` (read as `request` in
    /// `snapshot`, decided now as `decision`) and why it is approved only on its own.
    private func flags(of recorded: RecordedRequest, request: PolicyRequest, snapshot: StateSnapshot, decision: PolicyDecision) -> RequestFlags {
        typealias Flag = RequestFlags.Flag
        var flags = (recorded.decision.warnings + decision.warnings).map { warning in
            Flag(kind: warning.kind == .lookalike ? .lookalike : .poisoned, text: warning.text)
        }
        let entry = policy.addressBookEntry(of: request)
        if let entry, let hold = snapshot.destinationHolds[entry] {
            flags.append(Flag(kind: .destinationHeld, text: "DESTINATION HELD: " + hold.text(entry: entry)))
        }
        let moves = request.kind == .transfer || request.kind == .contractCall
        let usd = policy.notionalUSD(of: request, in: snapshot)
        if moves, let key = request.destinationKey {
            if entry == nil { flags.append(Flag(kind: .newDestination, text: "NEW DESTINATION: \(request.destination) is in no address-book entry")) }
            if let history = snapshot.destinations[key] {
                if let usd, history.count > 0, usd > history.largestUSD {
                    flags.append(Flag(
                        kind: .largestSoFar,
                        text: "LARGEST SO FAR to this destination: \(usd.grouped) USD (the largest before: \(history.largestUSD.grouped) USD)"))
                }
            } else {
                flags.append(Flag(kind: .firstTransfer, text: "FIRST TRANSFER to this destination: nothing was ever signed to it"))
            }
        }
        if decision.outcome == .deny {
            flags.append(Flag(
                kind: .deniedNow,
                text: "THE POLICY IN FORCE NOW DENIES IT: \(Self.describe(decision.reason)); an approval that completes it is refused"))
        }
        if moves, usd == nil {
            flags.append(Flag(
                kind: .notPriced,
                text: "NOT PRICED: no USD notional is known for \(request.amount.grouped) \(request.asset); no USD limit, largest-so-far check "
                    + "or batch bound reads it, so it is approved only on its own"))
        }
        var seen: Set<String> = []
        flags = flags.filter { seen.insert($0.text).inserted }
        var alone = request.kind == .transfer ? [] : [
            "NOT A PLAIN TRANSFER: a \(request.kind == .contractCall ? "contract call" : request.kind.rawValue) is approved only on its own, "
                + "since what it changes or where it sends funds may be more than its destination shows",
        ]
        // Every flag, "NOT PRICED" among them whatever the policy says (security review M1).
        alone += flags.map(\.text)
        let bound = policy.document.approvals.batchBound
        if let usd, usd >= bound.usd {
            alone.append("LARGE: its notional of \(usd.grouped) USD is at least the batch bound (\(bound.text))")
        }
        return RequestFlags(flags: flags, alone: alone, notionalUSD: usd)
    }
}
