import CustosLedger

/// Long-poll requests parked until the state they wait for changes, a deadline passes, they are
/// cancelled, or the gateway shuts down. Each waiter is resumed exactly once: whoever removes it
/// from here resumes it. Plain value state, owned by `LongPollParking` under its lock.
struct GatewayWaiters {
    /// What a parked request waits for.
    enum Topic: Hashable {
        /// Work for the nodes: an entry queued, a proposal made, a block certified.
        case proposals
        /// The block at this height certified.
        case block(UInt64)
        /// A block carrying this entry (by digest) certified.
        case entry(LedgerHash)
        /// A relay message stored for this node.
        case inbox(String)
    }

    private var parked: [Topic: [UInt64: CheckedContinuation<Void, Never>]] = [:]
    private var nextID: UInt64 = 0
    /// Set at shutdown: nothing parks any more and every waiter has been released.
    private(set) var closed = false
    private(set) var count = 0

    mutating func reserveID() -> UInt64 {
        nextID += 1
        return nextID
    }

    /// Parks `continuation`; returns it back (to be resumed by the caller at once) when closed.
    mutating func park(_ id: UInt64, on topic: Topic, _ continuation: CheckedContinuation<Void, Never>) -> CheckedContinuation<Void, Never>? {
        guard !closed else { return continuation }
        parked[topic, default: [:]][id] = continuation
        count += 1
        return nil
    }

    /// Removes one waiter (deadline or cancellation); nil if it was already released.
    mutating func remove(_ id: UInt64, from topic: Topic) -> CheckedContinuation<Void, Never>? {
        guard let continuation = parked[topic]?.removeValue(forKey: id) else { return nil }
        if parked[topic]?.isEmpty == true { parked[topic] = nil }
        count -= 1
        return continuation
    }

    /// Removes and returns every waiter on `topic`.
    mutating func release(_ topic: Topic) -> [CheckedContinuation<Void, Never>] {
        guard let waiting = parked.removeValue(forKey: topic) else { return [] }
        count -= waiting.count
        return Array(waiting.values)
    }

    /// Entry digests someone waits for (to release only those a certified block carries).
    var awaitedEntries: [LedgerHash] {
        parked.keys.compactMap { if case let .entry(digest) = $0 { digest } else { nil } }
    }

    /// Closes for good and returns every waiter.
    mutating func close() -> [CheckedContinuation<Void, Never>] {
        closed = true
        let all = parked.values.flatMap(\.values)
        parked = [:]
        count = 0
        return all
    }
}
