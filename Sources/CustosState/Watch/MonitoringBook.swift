import CustosCore

/// The monitoring room of the replicated state: the events watchers reported of the contracts,
/// tokens and vault addresses the policy's `monitoring` section watches (`MonitoredEvent`, decoded
/// by every node from the raw logs and transactions), until enough watchers reported each to
/// settle it (`ReplicatedState.settleMonitoredEvents`), and which chains' coverage lags. An
/// event is kept by its `MonitoredEvent.key`, so a watcher's forged variant of an event is another
/// event that needs its own `min_watchers` reporters; a watcher reporting one event twice counts once.
///
/// Bounded: each watcher holds at most `maximumPendingPerWatcher` pending events; past it, its
/// oldest one loses its report (dropped when nobody else reported it), so a lying watcher fills
/// only its own share, and an honest one's events that never settle (a block another watcher
/// did not report) make room for new ones. Every write is folded into a `WriteJournal` that the
/// state digest takes.
public struct MonitoringBook: Sendable, Hashable, Codable {
    /// The events not settled yet, by `MonitoredEvent.key`.
    public private(set) var pending: [String: PendingChainEvent] = [:]
    /// The keys each watcher's pending reports hold, oldest first.
    private(set) var byWatcher: [String: [String]] = [:]
    /// The keys of the settled events, each with the alert it raised (nil: the log signed the
    /// transaction, or the policy no longer watches it). A settled event is never pending again.
    public private(set) var settled: [String: UInt64?] = [:]
    /// The chains whose coverage lags more than `monitoring.alert_within_blocks` now, with the
    /// id of the `monitoring-lagging` alert raised when it began.
    public private(set) var lagging: [String: UInt64] = [:]
    /// How many lag episodes each chain had (each raises its own alert).
    private(set) var lagEpisodes: [String: UInt64] = [:]
    /// The highest block each watcher claimed on each chain in a report every node refused as
    /// read for another monitoring section (`watchSectionChanged`), by `watcher/chain`: how far
    /// the chain moved while the section in force went unwatched, so that
    /// `checkMonitoringLag` raises `monitoring-lagging` for a stall made of such refusals
    /// (review helper-133 M1). Only the watcher's own signed report sets it.
    public private(set) var refusedReach: [String: UInt64] = [:]
    private(set) var journal = WriteJournal(room: "monitoring")

    /// The most pending events one watcher's reports hold.
    public static let maximumPendingPerWatcher = 1_000

    public init() {}

    /// Whether the room holds nothing.
    public var isEmpty: Bool { pending.isEmpty && settled.isEmpty && lagEpisodes.isEmpty }

    /// Records that `watcher` reported `event`, unless it is settled or `watcher` reported it already.
    mutating func report(_ event: MonitoredEvent, by watcher: String) {
        let key = event.key
        guard settled[key] == nil, pending[key]?.reporters.contains(watcher) != true else { return }
        if var held = byWatcher[watcher], held.count >= Self.maximumPendingPerWatcher {
            let oldest = held.removeFirst()
            byWatcher[watcher] = held
            pending[oldest]?.reporters.removeAll { $0 == watcher }
            if pending[oldest]?.reporters.isEmpty == true { pending[oldest] = nil }
        }
        pending[key, default: PendingChainEvent(event: event, reporters: [])].reporters.append(watcher)
        byWatcher[watcher, default: []].append(key)
        journal.record { w in
            w.append(string: "report")
            w.append(string: watcher)
            event.append(to: &w)
        }
    }

    /// Settles the pending event of `key`, with the alert it raised if any.
    mutating func settle(_ key: String, alert: UInt64?) {
        guard let held = pending.removeValue(forKey: key) else { return }
        for watcher in held.reporters { byWatcher[watcher]?.removeAll { $0 == key } }
        settled[key] = .some(alert)
        journal.record { w in
            w.append(string: "settle")
            w.append(string: key)
            w.append(alert ?? 0)
        }
    }

    /// The pending events on `chain`, oldest key first by block, then key.
    func pending(on chain: String) -> [(key: String, event: PendingChainEvent)] {
        pending.filter { $0.value.event.chain == chain }.sorted { ($0.value.event.block, $0.key) < ($1.value.event.block, $1.key) }
            .map { ($0.key, $0.value) }
    }

    /// Records that every node refused `watcher`'s report of `chain` up to `block` as read for
    /// another monitoring section; keeps the highest such block.
    mutating func noteRefusedReach(of watcher: String, on chain: String, block: UInt64) {
        let key = watcher + "/" + chain
        guard block > refusedReach[key] ?? 0 else { return }
        refusedReach[key] = block
        journal.record { w in
            w.append(string: "refused-reach")
            w.append(string: key)
            w.append(block)
        }
    }

    /// Forgets what reports of `watcher` refused for their section claimed, on `chain` or (nil)
    /// every chain, wherever the watch room forgets its coverage: its key rotated or the bot
    /// removed, its coverage cleared (review helper-140 M1), so a claim made with a key since
    /// stolen or cleared does not keep counting toward the lag.
    mutating func forgetRefusedReach(of watcher: String, on chain: String? = nil) {
        let keys = refusedReach.keys.filter { key in chain.map { key == watcher + "/" + $0 } ?? key.hasPrefix(watcher + "/") }.sorted()
        guard !keys.isEmpty else { return }
        for key in keys { refusedReach[key] = nil }
        journal.record { w in
            w.append(string: "forget-refused-reach")
            w.append(strings: keys)
        }
    }

    /// The next lag episode of `chain` (1 for its first).
    func nextLagEpisode(of chain: String) -> UInt64 { (lagEpisodes[chain] ?? 0) + 1 }

    /// Marks `chain` lagging since `alert` (a new episode), or no longer lagging (nil).
    mutating func setLagging(_ chain: String, alert: UInt64?) {
        guard lagging[chain] != alert else { return }
        if let alert {
            lagging[chain] = alert
            lagEpisodes[chain] = nextLagEpisode(of: chain)
        } else {
            lagging[chain] = nil
        }
        journal.record { w in
            w.append(string: "lagging")
            w.append(string: chain)
            w.append(alert ?? 0)
        }
    }
}
