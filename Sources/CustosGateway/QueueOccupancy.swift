import CustosCore
import CustosState

/// What this gateway has queued, per signer and in total, so that `GatewayQueueBounds` hold.
/// A submission reserves its place before the write and holds it until a proposal consumes its
/// queue id. Entries another gateway sharing the store queued are that gateway's to count.
struct QueueOccupancy: Sendable {
    let bounds: GatewayQueueBounds
    private var perSigner: [EntrySigner: Int] = [:]
    private var total = 0
    /// Queue ids written, with their signer, until consumed.
    private var owners: [Int64: EntrySigner] = [:]

    init(bounds: GatewayQueueBounds) {
        self.bounds = bounds
    }

    /// Takes a place for one entry of `signer`, or throws why there is none.
    mutating func reserve(for signer: EntrySigner) throws(AdmissionError) {
        let mine = perSigner[signer, default: 0]
        guard mine < bounds.perSigner else {
            throw AdmissionError(.signerQueueFull, "\(signer) already has \(mine) entries queued, as many as one signer may")
        }
        guard total < bounds.total else {
            throw AdmissionError(.queueFull, "the queue holds \(total) entries, as many as it may")
        }
        perSigner[signer] = mine + 1
        total += 1
    }

    /// The reserved place now holds queue id `id`.
    mutating func queued(_ id: Int64, by signer: EntrySigner) {
        owners[id] = signer
    }

    /// Gives back a place whose write failed.
    mutating func cancel(for signer: EntrySigner) {
        release(signer)
    }

    /// Frees the places of consumed queue ids, and of every id below `oldest`, the oldest id
    /// still queued (ids grow, so those were consumed, possibly by another gateway).
    mutating func consumed(_ ids: [Int64], oldestStillQueued oldest: Int64?) {
        for id in ids { if let signer = owners.removeValue(forKey: id) { release(signer) } }
        guard let oldest else { return }
        for (id, signer) in owners where id < oldest {
            owners[id] = nil
            release(signer)
        }
    }

    private mutating func release(_ signer: EntrySigner) {
        total -= 1
        let left = perSigner[signer, default: 1] - 1
        perSigner[signer] = left > 0 ? left : nil
    }
}
