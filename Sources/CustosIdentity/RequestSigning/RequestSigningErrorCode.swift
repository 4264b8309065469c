import CustosCore

/// The stable codes of `RequestSigningError`.
public enum RequestSigningErrorCode: String, ErrorCode {
    /// The envelope is not JSON of the expected shape (types, lengths, encodings).
    case malformed
    /// The envelope has a member other than body, cluster, keyId, timestamp, nonce and signature.
    case unknownField
    /// The request names a key other than the one it is verified with.
    case wrongKey
    /// The request is signed for another cluster (its genesis digest is not the verifier's).
    case wrongCluster
    /// The signature does not verify over the canonical signing input.
    case badSignature
    /// The timestamp is older than the allowed clock skew.
    case staleTimestamp
    /// The timestamp is further in the future than the allowed clock skew.
    case futureTimestamp
    /// The nonce was already used by this key within the window.
    case replayedNonce
    /// The replay cache is full; the request is refused rather than the cache forgetting.
    case replayCacheFull
    /// Public key bytes that are not a valid key of their algorithm.
    case invalidKey
}
