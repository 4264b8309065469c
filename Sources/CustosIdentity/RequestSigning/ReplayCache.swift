import CustosCore

/// The nonces a verifier has accepted and still has to remember: a value the caller persists
/// (in the node's database, in the same transaction that records the request) and passes back.
///
/// A nonce needs remembering only while its timestamp is inside the acceptance window; older
/// requests are refused as stale anyway, so forgotten nonces can never be replayed. Pruning is
/// amortized: at most once per window, or when the cache is full. The cache keeps the latest time
/// it was shown, so a caller clock that steps backwards cannot make a forgotten nonce acceptable.
public struct ReplayCache: Sendable, Hashable, Codable {
    /// keyId ‖ 0x00 ‖ nonce → the request's timestamp (milliseconds since the Unix epoch).
    /// Sharded: a copy of the cache that records a few nonces copies only their shards.
    public private(set) var entries: ShardedDictionary<String, Int64>
    /// The largest `now` this cache has been checked against.
    public private(set) var latestTime: Int64
    /// When stale entries were last removed.
    public private(set) var lastPruned: Int64
    /// At most this many nonces are kept; when full, requests are refused, never forgotten.
    public let capacity: Int

    public init(capacity: Int = 100_000) {
        entries = ShardedDictionary()
        latestTime = .min
        lastPruned = .min
        self.capacity = capacity
    }

    static func key(keyId: String, nonce: String) -> String { keyId + "\u{0}" + nonce }

    func contains(keyId: String, nonce: String) -> Bool { entries[Self.key(keyId: keyId, nonce: nonce)] != nil }

    /// Forgets nonces whose timestamp is older than `cutoff` if a window has passed since the
    /// last pruning or the cache is full.
    mutating func pruneIfDue(olderThan cutoff: Int64, now: Int64, window: Int64) {
        guard entries.count >= capacity || lastPruned == .min || now - lastPruned >= window else { return }
        entries = entries.filter { $1 >= cutoff }
        lastPruned = now
    }

    mutating func advance(to now: Int64) { latestTime = max(latestTime, now) }

    mutating func record(keyId: String, nonce: String, timestamp: Int64) {
        entries[Self.key(keyId: keyId, nonce: nonce)] = timestamp
    }
}
