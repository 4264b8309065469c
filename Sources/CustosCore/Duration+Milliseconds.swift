extension Duration {
    /// The whole milliseconds in this duration (rounded toward zero): for wire parameters and
    /// figures printed in milliseconds.
    public var wholeMilliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
