import Synchronization

/// Counts of what a node's inbox opener did, for its metrics. Safe from any task.
public final class RelayCounters: Sendable {
    private let delivered = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)
    private let ignored = Atomic<Int>(0)

    public init() {}

    func count(_ delivery: RelayDelivery) {
        switch delivery {
        case .delivered: delivered.add(1, ordering: .relaxed)
        case .refused: refused.add(1, ordering: .relaxed)
        case .ignored: ignored.add(1, ordering: .relaxed)
        }
    }

    public var deliveredCount: Int { delivered.load(ordering: .relaxed) }
    public var refusedCount: Int { refused.load(ordering: .relaxed) }
    public var ignoredCount: Int { ignored.load(ordering: .relaxed) }

    /// The counters in Prometheus text exposition format, version 0.0.4.
    public var prometheusText: String {
        """
        # HELP custos_node_relay_messages_total Relay messages this node opened, by outcome.
        # TYPE custos_node_relay_messages_total counter
        custos_node_relay_messages_total{outcome="delivered"} \(deliveredCount)
        custos_node_relay_messages_total{outcome="refused"} \(refusedCount)
        custos_node_relay_messages_total{outcome="ignored"} \(ignoredCount)

        """
    }
}
