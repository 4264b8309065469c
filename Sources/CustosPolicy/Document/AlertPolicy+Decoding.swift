extension AlertPolicy {
    /// Reads the `alerts` section; each deadline is a duration from 1m to 24h, and `freeze_on` a
    /// list of `freezeClasses`, each once.
    ///
    /// ```yaml
    /// alerts: {receipt_deadline: 30m, receipt_deadline_by_chain: {ethereum: 1h}, freeze_on: [receipt-mismatch]}
    /// ```
    static func decode(_ node: YAMLNode, _ r: inout NodeReader) -> AlertPolicy {
        var alerts = AlertPolicy()
        guard let f = r.mapping(node, "alerts", allowed: ["receipt_deadline", "receipt_deadline_by_chain", "freeze_on"]) else { return alerts }
        func deadline(_ n: YAMLNode, _ what: String, _ r: inout NodeReader) -> Int? {
            guard let v = r.duration(n, what) else { return nil }
            guard receiptDeadlineRange.contains(v.value) else {
                r.error(.invalidValue, n.location, "\(what) must be from 1m to 24h")
                return nil
            }
            return v.value
        }
        if let n = f["receipt_deadline"], let v = deadline(n.value, "alerts.receipt_deadline", &r) { alerts.receiptDeadlineSeconds = v }
        if let n = f["receipt_deadline_by_chain"] {
            for entry in r.namedMapping(n.value, "alerts.receipt_deadline_by_chain") {
                if let v = deadline(entry.value, "alerts.receipt_deadline_by_chain.\(entry.key)", &r) { alerts.receiptDeadlineByChain[Spanned(entry.key, at: entry.keyLocation)] = v }
            }
        }
        if let n = f["freeze_on"] {
            for name in r.names(n.value, "alerts.freeze_on class") {
                guard freezeClasses.contains(name.value) else {
                    r.error(.invalidValue, name.location, "alerts.freeze_on: '\(name.value)' is not an alert that can freeze signing ("
                            + freezeClasses.joined(separator: ", ") + ")")
                    continue
                }
                alerts.freezeOn.insert(name.value)
            }
        }
        return alerts
    }
}
