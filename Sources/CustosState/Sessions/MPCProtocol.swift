/// The MPC protocols a session can run; the raw value is what a session name encodes.
public enum MPCProtocol: String, Sendable, Hashable, CaseIterable {
    /// Distributed key generation for a new vault.
    case dkg
    /// Threshold ECDSA presignatures for a vault's pool.
    case presign
    /// One signature (FROST, or the online round of threshold ECDSA).
    case sign
    /// Proactive refresh: every share changes, the public key does not.
    case refresh
    /// Moving a vault's key to a new committee.
    case reshare
}
