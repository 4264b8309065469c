extension CoolingOff {
    /// Reads the `cooling_off` section: a `default` delay and optional `tags` and
    /// `counterparties` overrides, each a duration from `0s` to 90 days.
    ///
    /// ```yaml
    /// cooling_off:
    ///   default: 48h
    ///   tags: {internal: 0s}
    ///   counterparties: {kraken: 24h}
    /// ```
    static func decode(_ node: YAMLNode, _ r: inout NodeReader) -> CoolingOff? {
        guard let f = r.mapping(node, "cooling_off", allowed: ["default", "tags", "counterparties"], required: ["default"]),
              let d = f["default"], let defaultSeconds = delay(d.value, "cooling_off.default", &r)
        else { return nil }
        var section = CoolingOff(defaultSeconds: defaultSeconds, location: node.location)
        for (key, what) in [("tags", "tag"), ("counterparties", "counterparty")] {
            guard let list = f[key] else { continue }
            for entry in r.namedMapping(list.value, "cooling_off.\(key)") {
                guard let seconds = delay(entry.value, "cooling_off.\(key).\(entry.key)", &r) else { continue }
                let setting = Setting(name: Spanned(entry.key, at: entry.keyLocation), seconds: seconds)
                if what == "tag" { section.tags.append(setting) } else { section.counterparties.append(setting) }
            }
        }
        return section
    }

    /// A delay: `0` or a duration such as `0s`, `30m`, `48h`, `7d`, at most `maximumSeconds`.
    private static func delay(_ node: YAMLNode, _ what: String, _ r: inout NodeReader) -> Int? {
        if case .scalar(let text, _) = node.kind {
            if text.hasPrefix("-") {
                r.error(.invalidValue, node.location, "\(what) must not be negative (\(text))")
                return nil
            }
            if text == "0" || (text.count >= 2 && Int(text.dropLast()) == 0 && "smhd".contains(text.last!)) { return 0 }
        }
        guard let seconds = r.duration(node, what)?.value else { return nil }
        guard seconds <= maximumSeconds else {
            r.error(.invalidValue, node.location, "\(what) must be at most 90d")
            return nil
        }
        return seconds
    }
}
