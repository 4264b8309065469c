import Synchronization

/// Marks a secret protocol state as used, once, across every copy of the value that holds it
/// (copies share this one reference): a DKG participant cannot hand out evaluations of its
/// secret polynomial to two different peer sets, nor combine its shares twice.
final class UseOnce: Sendable {
    private let used = Mutex(false)

    /// True the first time only.
    func claim() -> Bool {
        used.withLock { used in
            if used { return false }
            used = true
            return true
        }
    }
}
