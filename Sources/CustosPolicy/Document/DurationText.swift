/// A duration as people write it in a policy and on the command line: a positive count and a
/// unit, `30s`, `30m`, `24h`, `7d` — at most 366 days.
public enum DurationText {
    public enum Problem: Error, Sendable, Hashable {
        /// Not a positive count followed by one unit letter.
        case notADuration
        /// A count with a unit other than s, m, h or d.
        case unknownUnit
        /// Longer than 366 days.
        case tooLong
    }

    public static let maximumSeconds = 366 * 86_400

    /// The duration `text` names, in seconds.
    public static func seconds(_ text: String) -> Result<Int, Problem> {
        guard let unit = text.last, let count = Int(text.dropLast()), count > 0 else { return .failure(.notADuration) }
        let unitSeconds: Int
        switch unit {
        case "s": unitSeconds = 1
        case "m": unitSeconds = 60
        case "h": unitSeconds = 3600
        case "d": unitSeconds = 86_400
        default: return .failure(.unknownUnit)
        }
        // Bounded before multiplying: a huge count must be refused, not overflow.
        let (seconds, overflow) = count.multipliedReportingOverflow(by: unitSeconds)
        guard !overflow, seconds <= maximumSeconds else { return .failure(.tooLong) }
        return .success(seconds)
    }
}
