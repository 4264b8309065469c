/// Block times in words for reasons every node gives alike: no clock, no locale, no Foundation.
public enum BlockTimeText {
    /// A block time (milliseconds since the Unix epoch) to the minute, rounded up so that a
    /// "possible from" time is never early: "2026-12-05 10:42 UTC".
    public static func utcMinute(roundingUp milliseconds: UInt64) -> String {
        let minutes = Int64((milliseconds / 60_000) + (milliseconds % 60_000 == 0 ? 0 : 1))
        let (days, minuteOfDay) = (minutes / 1440, minutes % 1440)
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(minuteOfDay / 60)):\(two(minuteOfDay % 60)) UTC"
    }
}
