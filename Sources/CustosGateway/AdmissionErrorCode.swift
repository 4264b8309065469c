import CustosCore

/// The stable codes of `AdmissionError`.
public enum AdmissionErrorCode: String, ErrorCode {
    /// The entry does not decode as what its kind says (the reason says where).
    case inadmissible
    /// No node knows the entry's kind.
    case unknownKind
    /// The entry carries no signature where its kind requires one.
    case unsigned
    /// The entry is over its kind's size bound.
    case oversize
    /// The entry's signature or assertion does not verify against the committed state (unknown
    /// signer or credential, forged or altered signature, stale time, replayed nonce).
    case unauthenticated
    /// The entry's signer is registered but has been removed.
    case forbidden
    /// This signer already has as many entries queued as one signer may.
    case signerQueueFull
    /// The queue holds as many entries as it may.
    case queueFull
}
