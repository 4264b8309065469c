/// A monitored event fewer than `poisoning.min_watchers` current watchers reported, or whose
/// block the chain's coverage does not include yet: the event and the watchers that reported
/// it, in the order they did.
public struct PendingChainEvent: Sendable, Hashable, Codable {
    public let event: MonitoredEvent
    public internal(set) var reporters: [String]
}
