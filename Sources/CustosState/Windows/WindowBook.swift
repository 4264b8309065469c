import CustosCore
import CustosPolicy

/// The windows room of the replicated state: the rolling-window totals and counts the policy's
/// limits name, and what earlier requests went to each destination, kept in block time so that
/// every node decides the next request the same way whichever signer set signs it.
///
/// A request counts from the block that approves it for signing (`count`: allowed when decided,
/// or by its last approval) at the USD notional it was decided with, and stops counting when it
/// fails before broadcast (`release`), or when its window passes (`expire`). Totals are exact: a
/// sum beyond the largest decimal saturates there (every limit treats it as exceeded) while the
/// room keeps the rest, so a release or expiry takes off exactly what the request added. The
/// room holds each counted request for the longest window of the policy in force, and at least
/// `minimumHoldMilliseconds`, and each limit points at the oldest request still inside its
/// window, so a block costs what it counts, releases and lets expire — never a scan of the
/// history.
///
/// A policy change that changes the limits or the address book recounts the held requests under
/// the new policy (`adopt`): a limit's totals follow its name and `per` in the new document; a
/// limit that is new, renamed or re-keyed counts the held requests inside its window; a window
/// made longer counts what the room still held (requests inside the previous longest window, and
/// at least those of the last `minimumHoldMilliseconds`). A policy without limits still holds
/// its approved requests that long, so a limit it adds later counts the requests approved
/// inside the limit's window.
public struct WindowBook: Sendable, Codable {
    /// A counted request still inside the longest window.
    struct Held: Sendable, Codable {
        let id: String
        /// Block time (milliseconds) at which it was approved for signing.
        let time: UInt64
        let request: PolicyRequest
        let usd: FixedDecimal
        /// Its key under each limit, in the order of `limits`.
        var keys: [String]
        var released: Bool
    }

    /// One limit of the policy in force: its window and the absolute index of the oldest held
    /// request still inside it.
    struct Limit: Sendable, Codable {
        let name: String
        let windowMilliseconds: UInt64
        var next: Int
    }

    /// The least time, in milliseconds of block time, the room holds a counted request whatever
    /// the policy's limits (31 days): a limit added by a later policy, with a window up to this
    /// long, counts every request approved inside its window.
    public static let minimumHoldMilliseconds: UInt64 = 31 * 86_400_000

    /// Totals inside each limit's window, by limit name and key.
    public private(set) var totals = WindowTotals()
    /// For each saturated total, by limit name and key, how far its exact sum is beyond it.
    private var excess: [String: [String: WindowExcess]] = [:]
    /// Earlier requests approved for signing, by `PolicyRequest.destinationKey`.
    public private(set) var destinations: [String: DestinationHistory] = [:]
    private var held: [Held] = []
    /// Absolute index of `held[0]`; `held[..<front]` has left every window.
    private var base = 0
    private var front = 0
    private var position: [String: Int] = [:]
    private var limits: [Limit] = []
    /// What the keys were computed from: the document's limits and address book.
    private var keyedBy = KeyedBy(limits: [], addressBook: [])
    private struct KeyedBy: Sendable, Hashable, Codable {
        var limits: [PolicyDocument.WindowLimit]
        var addressBook: [PolicyDocument.AddressBookEntry]
    }
    /// Every count, release and recount, in order (the digest's view of the room).
    private(set) var journal = WriteJournal(room: "windows")

    /// An empty room keyed by `policy`.
    package init(policy: CompiledPolicy) {
        keyedBy = KeyedBy(limits: policy.document.limits, addressBook: policy.document.addressBook)
        limits = policy.windowLimits.map { Limit(name: $0.name, windowMilliseconds: UInt64($0.seconds) * 1000, next: 0) }
    }

    /// How many counted requests the room holds (released ones included, until they expire).
    public var heldCount: Int { held.count - front }

    /// Whether `id` was counted and still counts.
    public func counts(_ id: String) -> Bool {
        position[id].map { !held[$0 - base].released } ?? false
    }

    /// The counted requests the room still holds that were approved for signing before block
    /// time `time` (milliseconds) and still count (not released), in the order counted, with the
    /// USD notional each was counted at: what a replay of a period starting at `time` seeds its
    /// windows with (`ReplicatedState.replay(_:since:)`).
    package func held(before time: UInt64) -> [(id: String, time: UInt64, request: PolicyRequest, usd: FixedDecimal)] {
        held[front...].prefix { $0.time < time }.filter { !$0.released }.map { ($0.id, $0.time, $0.request, $0.usd) }
    }

    /// Counts request `id`, approved for signing at block time `time` (milliseconds), with the
    /// keys and USD notional `charge` gives under the policy in force. A request is counted once.
    package mutating func count(_ id: String, request: PolicyRequest, charge: WindowCharge, at time: UInt64) {
        guard position[id] == nil else { return }
        if let key = request.destinationKey {
            var history = destinations[key] ?? DestinationHistory(firstSeen: Int64(time / 1000), largestUSD: .zero, count: 0)
            history.count += 1
            if charge.usd > history.largestUSD { history.largestUSD = charge.usd }
            destinations[key] = history
        }
        journal.record { w in
            w.append(string: "count")
            w.append(string: id)
            w.append(time)
            w.append(string: charge.usd.description)
            w.append(strings: charge.keys)
        }
        for (i, limit) in limits.enumerated() { add(limit.name, charge.keys[i], charge.usd, 1) }
        position[id] = base + held.count
        held.append(Held(id: id, time: time, request: request, usd: charge.usd, keys: charge.keys, released: false))
    }

    /// Stops counting request `id` (it failed before broadcast): it leaves every window it is
    /// still in now. The destination's history keeps it.
    package mutating func release(_ id: String) {
        guard let absolute = position[id], !held[absolute - base].released else { return }
        let h = held[absolute - base]
        for (i, limit) in limits.enumerated() where limit.next <= absolute { add(limit.name, h.keys[i], h.usd, -1) }
        held[absolute - base].released = true
        journal.record { w in
            w.append(string: "release")
            w.append(string: id)
        }
    }

    /// Lets every counted request leave the windows it has passed by block time `time`
    /// (milliseconds): one counted at T is inside a window of W while T + W > time.
    package mutating func expire(at time: UInt64) {
        guard front < held.count else { return }
        let end = base + held.count
        for i in limits.indices {
            var next = limits[i].next
            while next < end, held[next - base].time &+ limits[i].windowMilliseconds <= time {
                let h = held[next - base]
                if !h.released { add(limits[i].name, h.keys[i], h.usd, -1) }
                next += 1
            }
            limits[i].next = next
        }
        drop(upTo: droppable(at: time))
    }

    /// Re-keys the room for `policy` when its limits or address book differ from those it is
    /// keyed by (see the type's description), at block time `time`.
    package mutating func adopt(_ policy: CompiledPolicy, at time: UInt64) {
        let document = policy.document
        guard document.limits != keyedBy.limits || document.addressBook != keyedBy.addressBook else { return }
        keyedBy = KeyedBy(limits: document.limits, addressBook: document.addressBook)
        totals = WindowTotals()
        excess = [:]
        let keying = StateSnapshot(time: Int64(time / 1000))
        for k in front..<held.count {
            held[k].keys = policy.windowCharge(for: held[k].request, in: keying)?.keys ?? []
        }
        limits = policy.windowLimits.map { limit in
            let window = UInt64(limit.seconds) * 1000
            var next = base + front
            while next < base + held.count, held[next - base].time &+ window <= time { next += 1 }
            return Limit(name: limit.name, windowMilliseconds: window, next: next)
        }
        for (i, limit) in limits.enumerated() {
            for k in (limit.next - base)..<held.count where !held[k].released { add(limit.name, held[k].keys[i], held[k].usd, 1) }
        }
        journal.record { w in
            w.append(string: "recount")
            w.append(time)
            w.append(strings: limits.map(\.name))
            for limit in limits { w.append(limit.windowMilliseconds) }
        }
        drop(upTo: droppable(at: time))
    }

    /// The absolute index before which every held request is outside every limit's window and
    /// older than `minimumHoldMilliseconds` at block time `time`.
    private func droppable(at time: UInt64) -> Int {
        let end = base + held.count
        var kept = base + front
        while kept < end, held[kept - base].time &+ Self.minimumHoldMilliseconds <= time { kept += 1 }
        return min(limits.map(\.next).min() ?? end, kept)
    }

    /// Adds (`sign` 1) or removes (−1) one request's USD and count from a limit's key. A sum that
    /// would overflow saturates at the largest decimal, which every limit treats as exceeded, and
    /// keeps the rest in `excess`; removing takes the rest off first, so the total is always the
    /// exact sum of what still counts, capped at the largest decimal.
    private mutating func add(_ limit: String, _ key: String, _ usd: FixedDecimal, _ sign: Int) {
        var total = totals[limit, key]
        let amount = max(.zero, usd).raw
        if sign > 0 {
            if let sum = total.usd.adding(FixedDecimal(raw: amount)) {
                total.usd = sum
            } else {
                excess[limit, default: [:]][key, default: WindowExcess()].add(amount - (Int128.max - total.usd.raw))
                total.usd = FixedDecimal(raw: .max)
            }
            total.count += 1
        } else {
            let (left, over) = Self.removing(amount, from: total, excess: excess[limit]?[key])
            total = left
            excess[limit]?[key] = over
            if excess[limit]?.isEmpty == true { excess[limit] = nil }
        }
        totals[limit, key] = total
    }

    /// `total` with one request of `amount` (raw USD) taken off: the excess beyond a saturated
    /// total goes first, so what is left is the exact sum of the rest, capped at the largest
    /// decimal. Returns the excess left, nil when none.
    private static func removing(_ amount: Int128, from total: WindowTotals.Total, excess: WindowExcess?) -> (WindowTotals.Total, WindowExcess?) {
        var remaining = amount
        var left: WindowExcess?
        if var over = excess {
            if over.covers(remaining) {
                over.subtract(remaining)
                remaining = 0
            } else {
                remaining -= over.rest
                over = WindowExcess()
            }
            left = over.isZero ? nil : over
        }
        return (WindowTotals.Total(usd: FixedDecimal(raw: max(0, total.usd.raw - remaining)), count: max(0, total.count - 1)), left)
    }

    /// The totals as `release(id)` would leave them, read without changing the room: a request
    /// that counts already is re-decided against the windows without its own charge. It costs
    /// the request's keys, not a copy of the room.
    package func totals(releasing id: String) -> WindowTotals {
        guard let absolute = position[id], !held[absolute - base].released else { return totals }
        let h = held[absolute - base]
        let amount = max(.zero, h.usd).raw
        let changes = limits.enumerated().filter { $0.element.next <= absolute }.map { i, limit in
            (limit: limit.name, key: h.keys[i], total: Self.removing(amount, from: totals[limit.name, h.keys[i]], excess: excess[limit.name]?[h.keys[i]]).0)
        }
        return totals.replacing(changes)
    }

    /// Forgets the held requests before absolute index `end`: they are outside every window.
    private mutating func drop(upTo end: Int) {
        let stop = min(end - base, held.count)
        guard stop > front else { return }
        for k in front..<stop { position[held[k].id] = nil }
        front = stop
        if front == held.count {
            base += held.count
            held.removeAll(keepingCapacity: true)
            front = 0
        } else if front > 1024, front * 2 > held.count {
            held.removeFirst(front)
            base += front
            front = 0
        }
    }
}
