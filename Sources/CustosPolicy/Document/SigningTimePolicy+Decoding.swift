extension SigningTimePolicy {
    /// Reads the `signing` section; `attempt_timeout` is a duration from 10 s to 10 min (30 s
    /// when left out).
    ///
    /// ```yaml
    /// signing: {attempt_timeout: 20s}
    /// ```
    static func decode(_ node: YAMLNode, _ r: inout NodeReader) -> SigningTimePolicy {
        var signing = SigningTimePolicy()
        guard let f = r.mapping(node, "signing", allowed: ["attempt_timeout"]) else { return signing }
        if let n = f["attempt_timeout"], let v = r.duration(n.value, "signing.attempt_timeout") {
            if attemptTimeoutRange.contains(v.value) {
                signing.attemptTimeoutSeconds = v.value
            } else {
                r.error(.invalidValue, n.value.location, "signing.attempt_timeout must be from 10s to 10m")
            }
        }
        return signing
    }
}
