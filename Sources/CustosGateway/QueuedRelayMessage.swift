/// A relay message in its recipient's inbox and its cursor (ascending in the order stored).
public struct QueuedRelayMessage: Sendable, Hashable {
    public let cursor: Int64
    public let message: RelayMessage

    public init(cursor: Int64, message: RelayMessage) {
        self.cursor = cursor
        self.message = message
    }
}
