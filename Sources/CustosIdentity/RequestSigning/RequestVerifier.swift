import CustosCore

/// Verifies bots' signed requests against a caller-supplied time and replay cache; no clock, no I/O.
///
/// Order of checks: key id, cluster, timestamp window (±`maxClockSkew` around `now`, and never older
/// than the window of the latest time the cache has seen), signature, then the nonce
/// (`checkFreshness` serves requests authenticated otherwise, such as a person's assertion). The cache
/// changes only when a request is accepted, so forged requests cannot fill it.
public struct RequestVerifier: Sendable {
    /// How far a request's timestamp may be from `now`, in milliseconds.
    public let maxClockSkew: Int64

    public init(maxClockSkew: Int64 = 300_000) {
        precondition(maxClockSkew >= 0 && maxClockSkew <= 86_400_000, "a skew window between 0 and one day")
        self.maxClockSkew = maxClockSkew
    }

    /// Accepts `request` signed by `key`, registered as `keyId`, for the cluster whose genesis
    /// digest is `cluster`, at time `now` (ms since the epoch), and records its nonce in
    /// `replayCache`, which the caller persists atomically with the request.
    public func verify(
        _ request: SignedRequest, keyId: String, key: BotPublicKey, cluster: [UInt8], now: Int64, replayCache: inout ReplayCache
    ) throws(RequestSigningError) {
        guard request.keyId == keyId else {
            throw RequestSigningError(.wrongKey, "the request is signed for key \"\(request.keyId)\", not \"\(keyId)\"")
        }
        try Self.checkCluster(request, cluster)
        try checkFreshness(keyId: keyId, timestamp: request.timestamp, nonce: request.nonce, now: now, replayCache: &replayCache) { () throws(RequestSigningError) in
            guard key.isValidSignature(request.signature, for: request.signingInput) else {
                throw RequestSigningError(.badSignature, "the signature does not verify over the request's canonical form")
            }
        }
    }

    /// Refuses a request signed for another cluster than the one whose genesis digest is `cluster`.
    public static func checkCluster(_ request: SignedRequest, _ cluster: [UInt8]) throws(RequestSigningError) {
        guard request.cluster == cluster else {
            throw RequestSigningError(
                .wrongCluster,
                "the request is signed for the cluster with genesis digest \(request.cluster.hexString.prefix(16))…, not this one (\(cluster.hexString.prefix(16))…)")
        }
    }

    /// The timestamp window and the nonce for a request authenticated by `authenticate` (for a
    /// bot, its signature; for a person, a WebAuthn assertion over the signing input), which runs
    /// after the window check and before the nonce check. Records the nonce in `replayCache`
    /// only when everything passes.
    public func checkFreshness(
        keyId: String, timestamp: Int64, nonce: String, now: Int64, replayCache: inout ReplayCache,
        authenticate: () throws(RequestSigningError) -> Void
    ) throws(RequestSigningError) {
        // Timestamps are within ±2^53 and the skew within a day, so none of this overflows
        // once `now` is clamped to the same range.
        let limit: Int64 = 1 << 62
        let clampedNow = min(max(now, -limit), limit)
        let reference = max(clampedNow, min(replayCache.latestTime == .min ? -limit : replayCache.latestTime, limit))
        let oldest = reference - maxClockSkew
        guard timestamp >= oldest else {
            throw RequestSigningError(
                .staleTimestamp, "timestamp \(timestamp) is more than \(maxClockSkew) ms before \(reference)")
        }
        guard timestamp <= clampedNow + maxClockSkew else {
            throw RequestSigningError(
                .futureTimestamp, "timestamp \(timestamp) is more than \(maxClockSkew) ms after \(clampedNow)")
        }
        try authenticate()
        var cache = replayCache
        cache.pruneIfDue(olderThan: oldest, now: reference, window: maxClockSkew)
        guard !cache.contains(keyId: keyId, nonce: nonce) else {
            throw RequestSigningError(.replayedNonce, "nonce \"\(nonce)\" was already used by \"\(keyId)\"")
        }
        guard cache.entries.count < cache.capacity else {
            throw RequestSigningError(.replayCacheFull, "the replay cache holds \(cache.capacity) nonces; try again later")
        }
        cache.record(keyId: keyId, nonce: nonce, timestamp: timestamp)
        cache.advance(to: clampedNow)
        replayCache = cache
    }
}
