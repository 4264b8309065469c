import Synchronization

/// The digest of one `ReplicatedState` value, computed at most once. Every mutation of the state
/// replaces its cache with a new one, so copies share a cache only while they are equal, and a
/// digest never outlives the state it was computed from.
final class StateDigestCache: Sendable {
    private let stored = Mutex<[UInt8]?>(nil)

    /// The cached digest, or `compute()` kept for next time.
    func digest(_ compute: () -> [UInt8]) -> [UInt8] {
        if let digest = stored.withLock({ $0 }) { return digest }
        let digest = compute()
        stored.withLock { $0 = digest }
        return digest
    }
}
