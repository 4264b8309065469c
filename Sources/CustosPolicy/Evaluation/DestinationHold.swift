/// Why an address-book entry may not receive transfers or calls yet, as the replicated state
/// holds it: a new or changed entry waits out the policy's `cooling_off` delay, and a security
/// officer may cancel it during that wait. Times are seconds since 1970-01-01T00:00:00Z of block
/// time.
public enum DestinationHold: Sendable, Hashable, Codable {
    /// Added or changed by a policy change; usable from `usableFrom`.
    case coolingOff(usableFrom: Int64)
    /// Cancelled by security officer `by` at `at` during its cooling-off: never usable until a
    /// later policy change changes the entry again (which starts a new cooling-off).
    case cancelled(by: String, at: Int64)

    /// Whether the hold refuses a request decided at `time`.
    public func refuses(at time: Int64) -> Bool {
        switch self {
        case .coolingOff(let usableFrom): return time < usableFrom
        case .cancelled: return true
        }
    }

    /// The hold in words, for `entry`: "kraken-eth-2 usable from 2026-12-04 10:00 UTC".
    public func text(entry: String) -> String {
        switch self {
        case .coolingOff(let usableFrom):
            return "\(entry) usable from \(UTCTime.text(usableFrom)) (new or changed address book entry, cooling off)"
        case .cancelled(let officer, let at):
            return "\(entry) was cancelled by \(officer) at \(UTCTime.text(at)) during its cooling-off and is not usable"
        }
    }
}
