extension SigningTimePolicy {
    /// Reads the `signing` section; `attempt_timeout` is a duration from 10 s to 10 min (30 s
    /// when left out), `offline_timeout` one from 1 min to 7 days (4 h when left out).
    ///
    /// ```yaml
    /// signing: {attempt_timeout: 20s, offline_timeout: 2h}
    /// ```
    static func decode(_ node: YAMLNode, _ r: inout NodeReader) -> SigningTimePolicy {
        var signing = SigningTimePolicy()
        guard let f = r.mapping(node, "signing", allowed: ["attempt_timeout", "offline_timeout"]) else { return signing }
        if let n = f["attempt_timeout"], let v = r.duration(n.value, "signing.attempt_timeout") {
            if attemptTimeoutRange.contains(v.value) {
                signing.attemptTimeoutSeconds = v.value
            } else {
                r.error(.invalidValue, n.value.location, "signing.attempt_timeout must be from 10s to 10m")
            }
        }
        if let n = f["offline_timeout"], let v = r.duration(n.value, "signing.offline_timeout") {
            if offlineTimeoutRange.contains(v.value) {
                signing.offlineTimeoutSeconds = v.value
            } else {
                r.error(.invalidValue, n.value.location, "signing.offline_timeout must be from 1m to 7d")
            }
        }
        return signing
    }
}
