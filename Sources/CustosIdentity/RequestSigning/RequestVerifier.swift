/// Verifies bots' signed requests against a caller-supplied time and replay cache; no clock, no I/O.
///
/// Order of checks: key id, timestamp window (±`maxClockSkew` around `now`, and never older
/// than the window of the latest time the cache has seen), signature, then the nonce. The cache
/// changes only when a request is accepted, so forged requests cannot fill it.
public struct RequestVerifier: Sendable {
    /// How far a request's timestamp may be from `now`, in milliseconds.
    public let maxClockSkew: Int64

    public init(maxClockSkew: Int64 = 300_000) {
        precondition(maxClockSkew >= 0 && maxClockSkew <= 86_400_000, "a skew window between 0 and one day")
        self.maxClockSkew = maxClockSkew
    }

    /// Accepts `request` signed by `key`, registered as `keyId`, at time `now` (ms since the
    /// epoch), and records its nonce in `replayCache`, which the caller persists atomically with
    /// the request.
    public func verify(
        _ request: SignedRequest, keyId: String, key: BotPublicKey, now: Int64, replayCache: inout ReplayCache
    ) throws(RequestSigningError) {
        guard request.keyId == keyId else {
            throw RequestSigningError(.wrongKey, "the request is signed for key \"\(request.keyId)\", not \"\(keyId)\"")
        }
        // Timestamps are within ±2^53 and the skew within a day, so none of this overflows
        // once `now` is clamped to the same range.
        let limit: Int64 = 1 << 62
        let clampedNow = min(max(now, -limit), limit)
        let reference = max(clampedNow, min(replayCache.latestTime == .min ? -limit : replayCache.latestTime, limit))
        let oldest = reference - maxClockSkew
        guard request.timestamp >= oldest else {
            throw RequestSigningError(
                .staleTimestamp, "timestamp \(request.timestamp) is more than \(maxClockSkew) ms before \(reference)")
        }
        guard request.timestamp <= clampedNow + maxClockSkew else {
            throw RequestSigningError(
                .futureTimestamp, "timestamp \(request.timestamp) is more than \(maxClockSkew) ms after \(clampedNow)")
        }
        guard key.isValidSignature(request.signature, for: request.signingInput) else {
            throw RequestSigningError(.badSignature, "the signature does not verify over the request's canonical form")
        }
        var cache = replayCache
        cache.pruneIfDue(olderThan: oldest, now: reference, window: maxClockSkew)
        guard !cache.contains(keyId: keyId, nonce: request.nonce) else {
            throw RequestSigningError(.replayedNonce, "nonce \"\(request.nonce)\" was already used by \"\(keyId)\"")
        }
        guard cache.entries.count < cache.capacity else {
            throw RequestSigningError(.replayCacheFull, "the replay cache holds \(cache.capacity) nonces; try again later")
        }
        cache.record(keyId: keyId, nonce: request.nonce, timestamp: request.timestamp)
        cache.advance(to: clampedNow)
        replayCache = cache
    }
}
