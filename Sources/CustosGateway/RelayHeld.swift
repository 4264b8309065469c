/// What the relay holds for one recipient or in total, and the bounds check every store applies
/// to a batch before storing it.
struct RelayHeld: Sendable, Hashable {
    var messages: Int
    var bytes: Int

    /// Why `messages` may not be stored on top of what is held, nil if they may. A recipient
    /// over its bounds is named first (its own backlog is the likelier cause).
    static func refusal(of messages: [RelayMessage], limits: RelayLimits, total: RelayHeld, perRecipient: [String: RelayHeld]) -> RelayWrite? {
        var after = perRecipient
        var totalAfter = total
        for message in messages {
            after[message.recipient, default: RelayHeld(messages: 0, bytes: 0)].add(message)
            totalAfter.add(message)
        }
        for (recipient, held) in after.sorted(by: { $0.key < $1.key })
        where held.messages > limits.messagesPerRecipient || held.bytes > limits.bytesPerRecipient {
            return .recipientFull(recipient)
        }
        guard totalAfter.messages <= limits.totalMessages, totalAfter.bytes <= limits.totalBytes else { return .relayFull }
        return nil
    }

    private mutating func add(_ message: RelayMessage) {
        messages += 1
        bytes += message.envelope.count
    }
}
