import CustosCore
import CustosPolicy

/// What a person deciding a pending request is shown beside it, derived from the committed
/// state exactly as every node reads it when it decides (`ReplicatedState.review(of:)`): the
/// policy's explanation of the request with its counted approvals at the state's block time
/// (the rules, limits and prices the nodes would use now), and its `RequestFlags` — what is
/// unusual about it and whether it may be approved together with identical requests in one
/// batch. The console and the CLI read this value; every node's `request.approve-batch` reads
/// the flags alone (`ReplicatedState.flags(of:)`), made by the same function, so that what a
/// person is told is batchable is what every node accepts in a batch.
public struct RequestReview: Sendable, Hashable {
    public typealias Flag = RequestFlags.Flag

    public let explanation: PolicyExplanation
    public let facts: RequestFlags

    /// Unusual facts, most alarming first, each once (`RequestFlags.flags`).
    public var flags: [Flag] { facts.flags }
    /// Why it is approved only on its own (`RequestFlags.alone`); empty when it may be batched.
    public var alone: [String] { facts.alone }
    /// The request's USD notional in the state, or nil when it is not known.
    public var notionalUSD: FixedDecimal? { facts.notionalUSD }
    /// The flags as lines.
    public var unusual: [String] { facts.unusual }
    public var isBatchable: Bool { facts.isBatchable }
}
