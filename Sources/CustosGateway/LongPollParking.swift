import CustosLedger
import Synchronization

/// Where the gateway's long polls wait: a request parks on a topic until that topic is woken, its
/// deadline passes, its task is cancelled or the gateway shuts down, and then re-checks what it
/// waits for. Safe from any task or actor; each parked request is resumed exactly once.
///
/// No lost wake-ups: a poller reads `wakeCount` before it checks the store (which suspends) and
/// hands it to `park`, which parks only if nothing was woken since — checked and parked under one
/// lock, so a change made while the poller looked is never missed.
final class LongPollParking: Sendable {
    typealias Topic = GatewayWaiters.Topic

    private let parked = Mutex<(waiters: GatewayWaiters, wakeCount: UInt64)>((GatewayWaiters(), 0))

    /// Counts wake-ups; read it before checking for a change and pass it to `park`.
    var wakeCount: UInt64 { parked.withLock { $0.wakeCount } }

    /// Set at shutdown: nothing parks any more.
    var isClosed: Bool { parked.withLock { $0.waiters.closed } }

    /// Requests parked right now.
    var count: Int { parked.withLock { $0.waiters.count } }

    /// Parks the caller until `topic` is woken, `deadline` passes, the task is cancelled or the
    /// parking closes, whichever comes first; returns at once if anything was woken since the
    /// caller read `seen` from `wakeCount`. The caller re-checks its condition afterwards.
    func park(on topic: Topic, until deadline: ContinuousClock.Instant, unlessWokenSince seen: UInt64) async {
        let id = parked.withLock { $0.waiters.reserveID() }
        let timer = Task { [weak self] in
            do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return }
            self?.unpark(id, from: topic)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let waiting = parked.withLock { state in
                    // A cancellation or a deadline that came before this lock was taken is seen
                    // here; one after it finds the request parked and releases it (the timer
                    // unparks under the same lock, after the deadline).
                    guard state.wakeCount == seen, !Task.isCancelled, ContinuousClock.now < deadline else { return false }
                    return state.waiters.park(id, on: topic, continuation) == nil
                }
                if !waiting { continuation.resume() }
            }
        } onCancel: {
            unpark(id, from: topic)
        }
        timer.cancel()
    }

    /// Releases everyone parked on `topic`.
    func wake(_ topic: Topic) {
        let released = parked.withLock { state in
            state.wakeCount &+= 1
            return state.waiters.release(topic)
        }
        for continuation in released { continuation.resume() }
    }

    /// Releases the requests waiting for an entry that `block` carries.
    func wakeEntries(of block: Block) {
        let awaited = parked.withLock { $0.waiters.awaitedEntries }
        guard !awaited.isEmpty else { return }
        let carried = Set(block.entries.map(\.digest))
        for digest in awaited where carried.contains(digest) { wake(.entry(digest)) }
    }

    /// Releases every request waiting for an entry: each looks for its entry in the store again
    /// (after another gateway sharing the store committed blocks this one did not see).
    func wakeAllEntries() {
        for digest in parked.withLock({ $0.waiters.awaitedEntries }) { wake(.entry(digest)) }
    }

    /// Releases every parked request (each answers "nothing yet"); later parks return at once.
    func close() {
        for continuation in parked.withLock({ $0.waiters.close() }) { continuation.resume() }
    }

    private func unpark(_ id: UInt64, from topic: Topic) {
        parked.withLock { $0.waiters.remove(id, from: topic) }?.resume()
    }
}
