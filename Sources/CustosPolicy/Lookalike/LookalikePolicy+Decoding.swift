extension LookalikePolicy {
    /// Reads the `lookalike` section; a field it leaves out keeps its default:
    ///
    /// ```yaml
    /// lookalike: {prefix: 4, suffix: 4, max_edit_distance: 2}
    /// ```
    ///
    /// Refuses a length above `maximumAffix`, a distance above `maximumEditDistance`, and a
    /// prefix and suffix that compare fewer than `minimumAffixDigits` digits together (unless
    /// both are 0, which turns the test off).
    static func decode(_ node: YAMLNode, _ r: inout NodeReader) -> LookalikePolicy {
        var lookalike = LookalikePolicy()
        guard let f = r.mapping(node, "lookalike", allowed: ["prefix", "suffix", "max_edit_distance"]) else { return lookalike }
        if let n = f["prefix"], let v = r.integer(n.value, "lookalike.prefix", range: 0...maximumAffix) { lookalike.prefix = v.value }
        if let n = f["suffix"], let v = r.integer(n.value, "lookalike.suffix", range: 0...maximumAffix) { lookalike.suffix = v.value }
        if let n = f["max_edit_distance"], let v = r.integer(n.value, "lookalike.max_edit_distance", range: 0...maximumEditDistance) {
            lookalike.maxEditDistance = v.value
        }
        let digits = lookalike.prefix + lookalike.suffix
        if digits > 0 && digits < minimumAffixDigits {
            r.error(.invalidValue, node.location,
                    "lookalike.prefix and lookalike.suffix must compare at least \(minimumAffixDigits) hex digits together (or both be 0 to turn the test off); they compare \(digits)")
        }
        return lookalike
    }
}
