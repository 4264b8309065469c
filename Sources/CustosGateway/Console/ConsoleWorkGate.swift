/// Lets one piece of heavy console work run at a time (a scan of the log, a chain export): a
/// second asker is told to come back (`retryAfterSeconds`) rather than queued. A holder whose
/// work never ends (a response body the server never wrote) stops blocking after `lease`.
actor ConsoleWorkGate {
    /// How long a refused asker waits before asking again, in seconds.
    static let retryAfterSeconds = 2
    static let lease: Duration = .seconds(600)

    private var holder: (ticket: UInt64, since: ContinuousClock.Instant)?
    private var issued: UInt64 = 0

    /// A ticket to `leave` with once the work is done, or nil while another holds the gate.
    func enter() -> UInt64? {
        let now = ContinuousClock.now
        if let holder, now - holder.since < Self.lease { return nil }
        issued += 1
        holder = (issued, now)
        return issued
    }

    /// Ends the work of `ticket` (a later holder's ticket is left alone).
    func leave(_ ticket: UInt64) {
        if holder?.ticket == ticket { holder = nil }
    }

    /// Runs `work` holding the gate; nil, without running it, while another holds it.
    nonisolated func run<T: Sendable>(_ work: () async throws -> T) async throws -> T? {
        guard let ticket = await enter() else { return nil }
        do {
            let value = try await work()
            await leave(ticket)
            return value
        } catch {
            await leave(ticket)
            throw error
        }
    }
}
