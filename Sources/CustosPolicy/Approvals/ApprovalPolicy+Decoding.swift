extension ApprovalPolicy {
    /// Reads the `approvals` section:
    ///
    /// ```yaml
    /// approvals:
    ///   per_person_per_hour: 30
    ///   beyond: pause            # or second_person
    ///   hasty: {within: 10s, over_usd: 100000}
    /// ```
    static func decode(_ node: YAMLNode, _ r: inout NodeReader) -> ApprovalPolicy {
        var approvals = ApprovalPolicy()
        guard let f = r.mapping(node, "approvals", allowed: ["per_person_per_hour", "beyond", "hasty"]) else { return approvals }
        if let n = f["per_person_per_hour"], let v = r.integer(n.value, "approvals.per_person_per_hour", range: 1...10_000) {
            approvals.perPersonPerHour = v.value
        }
        if let n = f["beyond"], let text = r.string(n.value, "approvals.beyond") {
            if let beyond = Beyond(rawValue: text.value) {
                approvals.beyond = beyond
            } else {
                r.error(.invalidValue, text.location,
                        "approvals.beyond must be \(Beyond.allCases.map(\.rawValue).joined(separator: " or ")), not '\(text.value.prefix(64))'")
            }
            if f["per_person_per_hour"] == nil {
                r.error(.missingField, n.keyLocation, "approvals.beyond says what happens over per_person_per_hour, which is not set")
            }
        }
        if let n = f["hasty"], let h = r.mapping(n.value, "approvals.hasty", allowed: ["within", "over_usd"], required: ["within", "over_usd"]) {
            if let w = h["within"], let v = r.duration(w.value, "approvals.hasty.within") {
                if v.value > 3600 {
                    r.error(.invalidValue, v.location, "approvals.hasty.within must be at most 1h")
                } else {
                    approvals.hastyWithinSeconds = v.value
                }
            }
            if let o = h["over_usd"], let v = r.decimal(o.value, "approvals.hasty.over_usd") { approvals.hastyOverUSD = v.value }
        }
        return approvals
    }
}
