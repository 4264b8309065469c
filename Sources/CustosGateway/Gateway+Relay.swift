extension Gateway {
    /// The most envelopes one post may carry.
    public static let maximumRelayBatch = 64
    /// The largest envelope the relay takes (header, encapsulated key, ciphertext).
    public static let maximumEnvelopeBytes = 64 * 1024
    /// The most envelopes one inbox answer carries.
    public static let maximumInboxPage = 64

    /// Stores sealed envelopes for their recipients, all or none, each kept until its recipient
    /// acknowledges it or `relayLimits.timeToLive` passes; wakes the recipients' long polls. The
    /// caller has checked who posted them; the gateway cannot open them.
    func relay(_ messages: [(recipient: String, sessionID: [UInt8], round: UInt16, envelope: [UInt8])], from sender: String) async throws -> RelayWrite {
        let now = clock()
        let rows = messages.map {
            RelayMessage(sessionID: $0.sessionID, round: $0.round, sender: sender, recipient: $0.recipient, envelope: $0.envelope,
                         created: now, expires: now &+ relayLimits.timeToLive)
        }
        let write = try await store.storeRelayMessages(rows, limits: relayLimits, now: now)
        if write == .stored {
            for recipient in Set(rows.map(\.recipient)) { parking.wake(.inbox(recipient)) }
        }
        return write
    }

    /// Acknowledges `node`'s messages up to `cursor` (they are deleted) and answers the ones
    /// after it, oldest first, waiting up to `wait` for one to arrive when there are none.
    func relayInbox(of node: String, after cursor: Int64, wait: Duration) async throws -> [QueuedRelayMessage] {
        let deadline = ContinuousClock.now + min(wait, longestWait)
        while true {
            let seen = parking.wakeCount
            let messages = try await store.relayInbox(of: node, after: cursor, now: clock(), limit: Self.maximumInboxPage)
            guard messages.isEmpty, !parking.isClosed, !Task.isCancelled, ContinuousClock.now < deadline else { return messages }
            await parking.park(on: .inbox(node), until: deadline, unlessWokenSince: seen)
        }
    }
}
