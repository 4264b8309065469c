extension DecisionTiming {
    /// A duration for people, the one spelling of a review time or an age: under a minute in
    /// seconds with one decimal ("2.5 s"), then "12 min", "3 h 5 min", "2 d 4 h".
    public static func text(_ milliseconds: UInt64) -> String {
        let s = milliseconds / 1000
        switch s {
        case ..<60: return "\(s).\(milliseconds % 1000 / 100) s"
        case ..<3600: return "\(s / 60) min"
        case ..<86_400: return "\(s / 3600) h \(s % 3600 / 60) min"
        default: return "\(s / 86_400) d \(s % 86_400 / 3600) h"
        }
    }
}
