import CustosPolicy

/// What is unusual about a pending request and whether it may be approved together with
/// identical requests, without the policy's explanation in words: what every node's
/// `request.approve-batch` reads (`ReplicatedState.flags(of:)`, built on the policy's
/// `evaluate`), and the part of `RequestReview` (built on `explain`) that the console and the
/// CLI show beside the explanation. Both come from one function over the policy's decision
/// (`ReplicatedState.flags(of:request:snapshot:decision:)`), so what a person is told is
/// batchable is what every node accepts in a batch.
public struct RequestFlags: Sendable, Hashable {
    /// One unusual fact about a request, as a line for people starting with its kind in
    /// capitals ("LOOK-ALIKE: …", "FIRST TRANSFER to this destination: …"). Every flag keeps a
    /// request out of a batch (`alone`).
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
            /// No USD notional is known for the request's amount: no size bound can judge it,
            /// alone or in a batch (security review M1).
            case notPriced = "not-priced"
        }

        public let kind: Kind
        public let text: String
    }

    /// Unusual facts, most alarming first, each once.
    public let flags: [Flag]
    /// Why the request must be read and approved on its own, never in a batch approval
    /// (`RequestBatchApproval`), one line each: anything but a plain transfer (a contract call
    /// or a message may change ownership, upgrade a contract, grant an allowance or move a
    /// Safe's funds to an address the flags do not see: security review H1), every flag (a
    /// request without a USD notional among them: "NOT PRICED", whatever the policy says), and
    /// a USD notional at or above the policy's batch bound (`ApprovalPolicy.batchBound`).
    /// Empty when it may be approved together with identical requests.
    public let alone: [String]
    /// The request's USD notional in the state, or nil when it is not known: a batch is judged
    /// large on the sum of its requests' (`approveBatch`).
    public let notionalUSD: FixedDecimal?

    /// The flags as lines.
    public var unusual: [String] { flags.map(\.text) }
    public var isBatchable: Bool { alone.isEmpty }
}
