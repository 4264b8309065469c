import CustosCore
import CustosPolicy

/// What a person deciding a pending request is shown beside it, derived from the committed
/// state exactly as every node reads it when it decides (`ReplicatedState.review(of:)`): the
/// policy's explanation of the request with its counted approvals at the state's block time
/// (the rules, limits and prices the nodes would use now), what is unusual about it (`flags`,
/// one line each), and whether it may be approved together with identical requests in one
/// batch (`alone`). The console, the CLI and every node's `request.approve-batch` read this one
/// value, so that what a person is told is batchable is what every node accepts in a batch.
public struct RequestReview: Sendable, Hashable {
    /// One unusual fact about a request, as a line for people starting with its kind in
    /// capitals ("LOOK-ALIKE: …", "FIRST TRANSFER to this destination: …").
    public struct Flag: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            /// A destination outside the address book that resembles an entry.
            case lookalike = "look-alike"
            /// A destination planted in the vault's history by a dust transfer.
            case poisoned
            /// The destination's entry is still cooling off, or was cancelled.
            case destinationHeld = "destination-held"
            /// The destination is in no address-book entry.
            case newDestination = "new-destination"
            /// Nothing was ever signed to the destination.
            case firstTransfer = "first-transfer"
            /// The largest USD notional to the destination so far.
            case largestSoFar = "largest-so-far"
            /// The policy in force now denies the request.
            case deniedNow = "denied-now"
            /// No USD notional is known for the request's amount.
            case notPriced = "not-priced"
        }

        public let kind: Kind
        public let text: String

        /// Whether a request with this flag is approved only on its own: every flag but
        /// `notPriced`, which keeps a request out of a batch only where the policy bounds hasty
        /// approvals of large requests (`RequestReview.alone`).
        public var keepsOutOfBatch: Bool { kind != .notPriced }
    }

    public let explanation: PolicyExplanation
    /// Unusual facts, most alarming first, each once.
    public let flags: [Flag]
    /// Why the request must be read and approved on its own, never in a batch approval
    /// (`RequestBatchApproval`), one line each: anything but a plain transfer (a contract call
    /// or a message may change ownership, upgrade a contract, grant an allowance or move a
    /// Safe's funds to an address the flags do not see: security review H1), every flag that
    /// `keepsOutOfBatch`, and a USD notional at or above the policy's `approvals.hasty.over_usd`
    /// (or not known, where that bound is set). Empty when it may be
    /// approved together with identical requests.
    public let alone: [String]
    /// The request's USD notional in the state, or nil when it is not known: a batch is judged
    /// large on the sum of its requests' (`approveBatch`).
    public let notionalUSD: FixedDecimal?

    /// The flags as lines.
    public var unusual: [String] { flags.map(\.text) }
    public var isBatchable: Bool { alone.isEmpty }
}

extension ReplicatedState {
    /// `RequestReview` of `recorded` at this state's block time.
    public func review(of recorded: RecordedRequest) -> RequestReview {
        typealias Flag = RequestReview.Flag
        var request = recorded.request
        request.approvals = countedApprovers(of: recorded)
        let authority = requestAuthority
        let snapshot = authority.snapshot(for: request, blockTime: time)
        let explanation = policy.explain(request, in: snapshot)
        var flags = (recorded.decision.warnings + explanation.decision.warnings).map { warning in
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
        if explanation.decision.outcome == .deny {
            flags.append(Flag(
                kind: .deniedNow,
                text: "THE POLICY IN FORCE NOW DENIES IT: \(Self.describe(explanation.decision.reason)); an approval that completes it is refused"))
        }
        if moves, usd == nil {
            flags.append(Flag(
                kind: .notPriced,
                text: "NOT PRICED: no USD notional is known for \(request.amount.grouped) \(request.asset); no USD limit or largest-so-far check reads it"))
        }
        var seen: Set<String> = []
        flags = flags.filter { seen.insert($0.text).inserted }
        var alone = request.kind == .transfer ? [] : [
            "NOT A PLAIN TRANSFER: a \(request.kind == .contractCall ? "contract call" : request.kind.rawValue) is approved only on its own, "
                + "since what it changes or where it sends funds may be more than its destination shows",
        ]
        alone += flags.filter(\.keepsOutOfBatch).map(\.text)
        let approvals = policy.document.approvals
        if approvals.isLarge(usd) {
            alone.append(usd.map { "LARGE: its notional of \($0.grouped) USD is at least approvals.hasty.over_usd (\(approvals.hastyOverUSD.grouped) USD)" }
                ?? "LARGE: its USD notional is not known, and the policy bounds hasty approvals from \(approvals.hastyOverUSD.grouped) USD (approvals.hasty.over_usd)")
        }
        return RequestReview(explanation: explanation, flags: flags, alone: alone, notionalUSD: usd)
    }
}
