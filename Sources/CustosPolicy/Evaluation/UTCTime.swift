/// Block times as people read them, in UTC: `2026-12-04 10:00 UTC`, with seconds only when
/// they are not zero. Pure arithmetic on the proleptic Gregorian calendar, no clock, no locale.
public enum UTCTime {
    /// `seconds` since 1970-01-01T00:00:00Z as `YYYY-MM-DD HH:MM[:SS] UTC`.
    public static func text(_ seconds: Int64) -> String {
        let (days, second) = EvaluationContext.floorDivide(seconds, 86_400)
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
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var text = "\(year)-\(two(month))-\(two(day)) \(two(second / 3600)):\(two(second % 3600 / 60))"
        if second % 60 != 0 { text += ":\(two(second % 60))" }
        return text + " UTC"
    }

    /// A block time (milliseconds since the Unix epoch) to the minute, rounded up so that a
    /// "possible from" time is never early: `2026-12-05 10:42 UTC`.
    public static func minute(roundingUp milliseconds: UInt64) -> String {
        text(Int64(milliseconds / 60_000 + (milliseconds % 60_000 == 0 ? 0 : 1)) * 60)
    }
}
