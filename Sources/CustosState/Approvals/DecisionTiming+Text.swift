extension DecisionTiming {
    /// A review time for people: milliseconds as seconds with one decimal, "2.5 s".
    public static func text(_ milliseconds: UInt64) -> String { "\(milliseconds / 1000).\(milliseconds % 1000 / 100) s" }
}
