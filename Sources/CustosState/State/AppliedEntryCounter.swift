import Synchronization

/// Counts the entries the governed state's transition runs, for tests and metrics: bind one to
/// `ReplicatedState.appliedEntries` around the work to measure. Counting changes no decision.
package final class AppliedEntryCounter: Sendable {
    private let count = Atomic<Int>(0)

    package init() {}

    /// Entries run through `ReplicatedState.apply(_:blockTime:)` while bound.
    package var value: Int { count.load(ordering: .relaxed) }

    func add(_ entries: Int) {
        count.add(entries, ordering: .relaxed)
    }
}
