/// Hands out start times at least `1 / rate` seconds apart, from `start` on: the submitters
/// together start at most `rate` requests per second, each still waiting for its own signature
/// before it asks for the next slot. Slots missed while every submitter waited are not made up.
actor Pacer {
    private var next: UInt64
    private let interval: UInt64

    init(start: UInt64, perSecond rate: Double) {
        next = start
        interval = UInt64(1e9 / rate)
    }

    /// The next free start time (monotonic nanoseconds).
    func slot() -> UInt64 {
        let slot = max(next, nowNanoseconds())
        next = slot + interval
        return slot
    }
}
