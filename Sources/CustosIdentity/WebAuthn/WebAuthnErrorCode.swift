import CustosCore

/// The stable codes of `WebAuthnError`.
public enum WebAuthnErrorCode: String, ErrorCode {
    /// Bytes that do not parse: CBOR, JSON, authenticator data, base64url, lengths, flags.
    case malformed
    /// `clientDataJSON.type` is not "webauthn.create" / "webauthn.get" as the ceremony needs.
    case wrongType
    /// The challenge is not the one expected (the digest of the request being approved).
    case wrongChallenge
    /// The origin is not in the relying party's allowlist.
    case wrongOrigin
    /// The ceremony ran in a cross-origin iframe and the relying party does not allow it.
    case crossOriginNotAllowed
    /// `rpIdHash` is not SHA-256 of the relying party id.
    case wrongRpId
    /// The user-present flag (UP) is not set.
    case userNotPresent
    /// User verification is required and the user-verified flag (UV) is not set.
    case userNotVerified
    /// The signature does not verify under the credential's public key.
    case badSignature
    /// The signature counter did not increase (a cloned authenticator or a replay).
    case counterNotIncreased
    /// An attestation format other than "none", "packed" and "fido-u2f", or an algorithm or key
    /// those formats do not accept.
    case unsupportedAttestation
    /// An attestation certificate that chains to none of the relying party's attestation roots.
    case untrustedAttestation
    /// A COSE key of a type, algorithm or curve other than ES256 (P-256) or EdDSA (Ed25519).
    case unsupportedKey
    /// A COSE key of a supported type whose parameters are wrong (length, point off curve).
    case invalidKey
    /// A software (development) credential presented to a production relying party, or a
    /// registration whose attestation proves no hardware authenticator (none, self attestation).
    case softwareCredentialRefused
    /// The assertion names a credential other than the stored one.
    case wrongCredential
    /// The backup-eligible flag (BE) differs from the one recorded at registration.
    case backupEligibilityChanged
}
