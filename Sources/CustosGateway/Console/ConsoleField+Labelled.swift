extension ConsoleField {
    /// The same field under another label (for a lying gateway's test fault only:
    /// `GatewayFaultInjection.ConsoleTableLie.swappedLabels`).
    func labelled(_ label: String) -> ConsoleField {
        isList ? ConsoleField(label, list: items.map(\.value)) : ConsoleField(label, kind, value, note: note)
    }
}
