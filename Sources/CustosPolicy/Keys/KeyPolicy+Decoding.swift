extension KeyPolicy {
    /// Reads the `keys` section:
    ///
    /// ```yaml
    /// keys:
    ///   rotation:
    ///     operational: {every: 90d, grace: 14d}
    ///   classes:
    ///     vaults: {treasury-cold: critical}
    ///     bots: {risk-bot: operational}
    /// ```
    static func decode(_ node: YAMLNode, _ r: inout NodeReader) -> KeyPolicy {
        var keys = KeyPolicy()
        guard let top = r.mapping(node, "keys", allowed: ["rotation", "classes"]) else { return keys }
        if let n = top["rotation"] {
            for entry in r.namedMapping(n.value, "keys rotation") {
                guard let keyClass = parseClass(entry.key, at: entry.keyLocation, &r) else { continue }
                let what = "rotation of \(entry.key) keys"
                guard let fields = r.mapping(entry.value, what, allowed: ["every", "grace"], required: ["every"]),
                      let every = fields["every"].flatMap({ r.duration($0.value, "every") })
                else { continue }
                let grace = fields["grace"].flatMap { r.duration($0.value, "grace") }
                keys.rotation[keyClass] = Rotation(
                    everySeconds: every.value, graceSeconds: grace?.value ?? standardRotation[keyClass]!.graceSeconds)
            }
        }
        if let n = top["classes"], let fields = r.mapping(n.value, "keys classes", allowed: ["vaults", "bots"]) {
            for (section, what) in [("vaults", "vault"), ("bots", "bot")] {
                guard let list = fields[section] else { continue }
                for entry in r.namedMapping(list.value, "keys classes \(section)") {
                    guard let text = r.name(entry.value, "class of \(what) '\(entry.key)'"),
                          let keyClass = parseClass(text.value, at: text.location, &r)
                    else { continue }
                    let spanned = Spanned(keyClass, at: entry.keyLocation)
                    if section == "vaults" { keys.vaults[entry.key] = spanned } else { keys.bots[entry.key] = spanned }
                }
            }
        }
        return keys
    }

    private static func parseClass(_ name: String, at location: SourceLocation, _ r: inout NodeReader) -> KeyClass? {
        guard let keyClass = KeyClass(rawValue: name) else {
            r.error(.invalidValue, location, "key class '\(name)' is none of \(KeyClass.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return keyClass
    }
}
