/// How much the relay holds and for how long. A message not acknowledged within `timeToLive`
/// (the longest a session may run) is deleted; a post that would take a recipient past its
/// bounds is refused (429), one that would take the relay past its total bounds too (503).
public struct RelayLimits: Sendable, Hashable {
    /// Milliseconds a message is kept if its recipient does not acknowledge it.
    public var timeToLive: UInt64
    public var messagesPerRecipient: Int
    public var bytesPerRecipient: Int
    public var totalMessages: Int
    public var totalBytes: Int

    public init(timeToLive: UInt64 = 600_000, messagesPerRecipient: Int = 10_000, bytesPerRecipient: Int = 64 << 20,
                totalMessages: Int = 100_000, totalBytes: Int = 512 << 20) {
        self.timeToLive = timeToLive
        self.messagesPerRecipient = messagesPerRecipient
        self.bytesPerRecipient = bytesPerRecipient
        self.totalMessages = totalMessages
        self.totalBytes = totalBytes
    }
}
