import CustosCore
import CustosLedger

/// Group commit for submitted entries: every entry that arrives while a write runs goes into the
/// next write, so many submissions cost one transaction and one fsync. An entry is durable in the
/// queue when `submit` returns; a failed write fails every submission it carried.
actor SubmissionBatcher {
    private let write: @Sendable ([Entry]) async throws -> [Int64]
    private let written: @Sendable () -> Void
    private var waiting: [(entry: Entry, continuation: CheckedContinuation<Int64, any Error>)] = []
    private var flushing = false

    /// `write` stores a batch and answers each entry's queue id, in order; `written` runs after
    /// every batch that was stored.
    init(write: @escaping @Sendable ([Entry]) async throws -> [Int64], written: @escaping @Sendable () -> Void) {
        self.write = write
        self.written = written
    }

    /// Queues `entry`; answers its queue id once the write carrying it has committed.
    func submit(_ entry: Entry) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((entry, continuation))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    /// Writes every waiting submission, batch after batch, until none is left.
    private func flush() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting = []
            do {
                let ids = try await write(batch.map(\.entry))
                guard ids.count == batch.count else {
                    throw GatewayStoreError(.inconsistent, "the store queued \(ids.count) entries for a batch of \(batch.count)")
                }
                for (submission, id) in zip(batch, ids) { submission.continuation.resume(returning: id) }
                written()
            } catch {
                for submission in batch { submission.continuation.resume(throwing: error) }
            }
        }
        flushing = false
    }
}
