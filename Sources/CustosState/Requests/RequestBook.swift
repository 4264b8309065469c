import CustosCore
import CustosIdentity

/// The requests room of the replicated state: the requests (bots' signed ones and people's
/// asserted ones) that verified and were decided, in log order, and the replay cache of their
/// nonces. It changes only through `submit(_:at:reading:submitter:)`, which reads the governance
/// room (policy in force, bots, people, freeze) through a `RequestAuthority` and never changes it.
public struct RequestBook: Sendable, Hashable, Codable {
    /// Nonces of accepted requests still inside the timestamp window; part of the digest, so
    /// every node refuses the same replays.
    public internal(set) var replayCache: ReplayCache
    /// The most recent decided requests by id, at most `maximumRecordedRequests`.
    public private(set) var requests: ShardedDictionary<String, RecordedRequest>
    /// Ids of `requests` in log order, oldest first.
    public internal(set) var order: [String]
    /// Every request recorded, and every change to one, in order (the digest's view of `requests`).
    private(set) var journal = WriteJournal(room: "requests")
    /// Ids of the recorded requests still waiting for approvals, with the block time at which
    /// each expires: the ones `ReplicatedState.advance(to:)` looks at (derived from `requests`).
    var awaitingApprovals: [String: UInt64] = [:]

    /// Memory bounds. The replay cache holds at most `replayCacheCapacity` nonces (each key id
    /// ≤ 128 and nonce ≤ 128 bytes, so a few tens of MB at worst); when it is full of nonces still
    /// inside the window, further requests are refused (`replayCacheFull`), never forgotten.
    /// Decided requests keep the most recent ones, dropping the oldest: a node that needs every
    /// decision takes it from the outcome of `apply` as it happens.
    public static let replayCacheCapacity = 100_000
    public static let maximumRecordedRequests = 10_000
    /// How far a request's timestamp may be from the block time, in milliseconds.
    public static let requestClockSkew: Int64 = 300_000

    /// The empty room of a new cluster.
    public init() {
        replayCache = ReplayCache(capacity: Self.replayCacheCapacity)
        requests = ShardedDictionary()
        order = []
    }

    /// Replaces a recorded request with its next version (its approvals moved on); the change is
    /// journaled as the request was.
    mutating func update(_ request: RecordedRequest) {
        guard requests[request.id] != nil else { return }
        requests[request.id] = request
        journal.record { $0.append(request) }
    }

    /// Keeps a decided request, dropping the oldest beyond `maximumRecordedRequests` (a dropped
    /// request still waiting for approvals is dropped with them, and can no longer be approved).
    mutating func record(_ request: RecordedRequest) {
        requests[request.id] = request
        order.append(request.id)
        journal.record { $0.append(request) }
        if let approvals = request.approvals, approvals.isPending { awaitingApprovals[request.id] = approvals.expiresAt }
        if order.count > Self.maximumRecordedRequests {
            let dropped = order.count - Self.maximumRecordedRequests
            for id in order.prefix(dropped) {
                requests[id] = nil
                awaitingApprovals[id] = nil
            }
            order.removeFirst(dropped)
        }
    }
}
