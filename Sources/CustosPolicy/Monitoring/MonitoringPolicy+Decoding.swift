extension MonitoringPolicy {
    /// Reads the `monitoring` section: `alert_within_blocks` a whole number from 1 to 10,000
    /// (default `defaultAlertWithinBlocks`); `contracts` a list of `{name, chain, address,
    /// events}` with distinct names, EVM addresses and at least one `ChainEventClass`;
    /// `large_transfers` a list of `{chain, token, above, from}` with `above` a whole number of
    /// base units as text; `vault_transactions` true or false. The chains must be chains of an
    /// asset (checked when the policy compiles).
    static func decode(_ node: YAMLNode, _ r: inout NodeReader) -> MonitoringPolicy {
        var monitoring = MonitoringPolicy(alertWithinBlocks: defaultAlertWithinBlocks)
        guard let f = r.mapping(node, "monitoring", allowed: ["alert_within_blocks", "contracts", "large_transfers", "vault_transactions"]) else {
            return monitoring
        }
        if let n = f["alert_within_blocks"], let v = r.integer(n.value, "monitoring.alert_within_blocks", range: 1...10_000) {
            monitoring.alertWithinBlocks = v.value
        }
        if let n = f["vault_transactions"], let v = r.bool(n.value, "monitoring.vault_transactions") { monitoring.vaultTransactions = v }
        if let n = f["contracts"], let items = r.sequence(n.value, "monitoring.contracts") {
            if items.count > maximumEntries { r.error(.invalidValue, n.value.location, "monitoring.contracts names at most \(maximumEntries) contracts") }
            var seen: [String: SourceLocation] = [:]
            for item in items.prefix(maximumEntries) {
                guard let c = r.mapping(item, "monitoring.contracts entry", allowed: ["name", "chain", "address", "events"],
                                        required: ["name", "chain", "address", "events"]),
                      let name = c["name"].flatMap({ r.name($0.value, "monitoring.contracts name") }),
                      let chain = c["chain"].flatMap({ r.string($0.value, "monitoring.contracts.\(name.value).chain") }),
                      let address = c["address"].flatMap({ address($0.value, "monitoring.contracts.\(name.value).address", &r) }),
                      let list = c["events"]
                else { continue }
                if let first = seen[name.value] {
                    r.error(.duplicateName, name.location, "monitoring.contracts: '\(name.value)' is already used at line \(first.line)")
                    continue
                }
                seen[name.value] = name.location
                var events: Set<ChainEventClass> = []
                for event in r.names(list.value, "monitoring.contracts.\(name.value).events class") {
                    guard let parsed = ChainEventClass(rawValue: event.value) else {
                        r.error(.invalidValue, event.location, "monitoring.contracts.\(name.value).events: '\(event.value)' is not an event class ("
                                + ChainEventClass.allCases.map(\.rawValue).joined(separator: ", ") + ")")
                        continue
                    }
                    events.insert(parsed)
                }
                if events.isEmpty { r.error(.invalidValue, list.value.location, "monitoring.contracts.\(name.value).events names no event class") }
                monitoring.contracts.append(Contract(name: name.value, chain: chain, address: address, events: events))
            }
        }
        if let n = f["large_transfers"], let items = r.sequence(n.value, "monitoring.large_transfers") {
            if items.count > maximumEntries { r.error(.invalidValue, n.value.location, "monitoring.large_transfers has at most \(maximumEntries) entries") }
            for (i, item) in items.prefix(maximumEntries).enumerated() {
                let what = "monitoring.large_transfers[\(i)]"
                guard let t = r.mapping(item, what, allowed: ["chain", "token", "above", "from"], required: ["chain", "token", "above"]),
                      let chain = t["chain"].flatMap({ r.string($0.value, "\(what).chain") }),
                      let token = t["token"].flatMap({ address($0.value, "\(what).token", &r) }),
                      let above = t["above"].flatMap({ r.string($0.value, "\(what).above") })
                else { continue }
                guard (1...78).contains(above.value.utf8.count), above.value.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                    r.error(.invalidValue, above.location, "\(what).above must be a whole number of the token's base units, 1 to 78 decimal digits, as text")
                    continue
                }
                var from: Set<String> = []
                if let list = t["from"], let addresses = r.sequence(list.value, "\(what).from") {
                    for a in addresses { if let parsed = address(a, "\(what).from address", &r) { from.insert(parsed) } }
                }
                monitoring.largeTransfers.append(LargeTransfer(chain: chain, token: token, above: above.value, from: from))
            }
        }
        return monitoring
    }

    /// An EVM address (`0x` and 40 hex digits, any case), lowercased.
    private static func address(_ node: YAMLNode, _ what: String, _ r: inout NodeReader) -> String? {
        guard let text = r.string(node, what) else { return nil }
        let lower = text.value.lowercased()
        guard lower.utf8.count == 42, lower.hasPrefix("0x"), lower.utf8.dropFirst(2).allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            r.error(.invalidValue, text.location, "\(what) must be an EVM address, 0x and 40 hex digits")
            return nil
        }
        return lower
    }
}
