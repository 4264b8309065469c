import CustosPolicy

/// What a person deciding a pending request is shown beside it, derived from the committed
/// state exactly as every node reads it when it decides (`ReplicatedState.review(of:)`): the
/// policy's explanation of the request with its counted approvals at the state's block time
/// (the rules, limits and prices the nodes would use now), and what is unusual about it, one
/// line each — a look-alike of an address-book entry and which one, a destination planted by a
/// dust transfer, a destination entry still cooling off (with when it becomes usable) or
/// cancelled, a destination outside the address book, the first transfer to a destination, the
/// largest USD notional to it so far, and a policy in force that now denies it.
public struct RequestReview: Sendable, Hashable {
    public let explanation: PolicyExplanation
    public let unusual: [String]
}

extension ReplicatedState {
    /// `RequestReview` of `recorded` at this state's block time.
    public func review(of recorded: RecordedRequest) -> RequestReview {
        var request = recorded.request
        request.approvals = countedApprovers(of: recorded)
        let authority = requestAuthority
        let snapshot = authority.snapshot(for: request, blockTime: time)
        let explanation = policy.explain(request, in: snapshot)
        var unusual = (recorded.decision.warnings + explanation.decision.warnings).map(\.text)
        let entry = policy.addressBookEntry(of: request)
        if let entry, let hold = snapshot.destinationHolds[entry] { unusual.append("DESTINATION HELD: " + hold.text(entry: entry)) }
        if request.kind == .transfer || request.kind == .contractCall, let key = request.destinationKey {
            if entry == nil { unusual.append("NEW DESTINATION: \(request.destination) is in no address-book entry") }
            if let history = snapshot.destinations[key] {
                if let usd = policy.notionalUSD(of: request, in: snapshot), history.count > 0, usd > history.largestUSD {
                    unusual.append("LARGEST SO FAR to this destination: \(usd.grouped) USD (the largest before: \(history.largestUSD.grouped) USD)")
                }
            } else {
                unusual.append("FIRST TRANSFER to this destination: nothing was ever signed to it")
            }
        }
        if explanation.decision.outcome == .deny {
            unusual.append("THE POLICY IN FORCE NOW DENIES IT: \(Self.describe(explanation.decision.reason)); an approval that completes it is refused")
        }
        var seen: Set<String> = []
        return RequestReview(explanation: explanation, unusual: unusual.filter { seen.insert($0).inserted })
    }
}
