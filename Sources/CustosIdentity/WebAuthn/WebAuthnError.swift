import CustosCore
import CustosCrypto

/// Why a WebAuthn registration or assertion was refused. Every refusal has a stable `code`
/// (what a node records and the API reports) and a human `reason`. Equality is on `code` only.
public struct WebAuthnError: CodedError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case malformed, wrongType, wrongChallenge, wrongOrigin, crossOriginNotAllowed, wrongRpId,
                userNotPresent, userNotVerified, badSignature, counterNotIncreased,
                unsupportedAttestation, unsupportedKey, invalidKey, softwareCredentialRefused,
                wrongCredential, backupEligibilityChanged
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Bytes that do not parse: CBOR, JSON, authenticator data, base64url, lengths, flags.
        public static let malformed = Code(.malformed)
        /// `clientDataJSON.type` is not "webauthn.create" / "webauthn.get" as the ceremony needs.
        public static let wrongType = Code(.wrongType)
        /// The challenge is not the one expected (the digest of the request being approved).
        public static let wrongChallenge = Code(.wrongChallenge)
        /// The origin is not in the relying party's allowlist.
        public static let wrongOrigin = Code(.wrongOrigin)
        /// The ceremony ran in a cross-origin iframe and the relying party does not allow it.
        public static let crossOriginNotAllowed = Code(.crossOriginNotAllowed)
        /// `rpIdHash` is not SHA-256 of the relying party id.
        public static let wrongRpId = Code(.wrongRpId)
        /// The user-present flag (UP) is not set.
        public static let userNotPresent = Code(.userNotPresent)
        /// User verification is required and the user-verified flag (UV) is not set.
        public static let userNotVerified = Code(.userNotVerified)
        /// The signature does not verify under the credential's public key.
        public static let badSignature = Code(.badSignature)
        /// The signature counter did not increase (a cloned authenticator or a replay).
        public static let counterNotIncreased = Code(.counterNotIncreased)
        /// An attestation format other than "none".
        public static let unsupportedAttestation = Code(.unsupportedAttestation)
        /// A COSE key of a type, algorithm or curve other than ES256 (P-256) or EdDSA (Ed25519).
        public static let unsupportedKey = Code(.unsupportedKey)
        /// A COSE key of a supported type whose parameters are wrong (length, point off curve).
        public static let invalidKey = Code(.invalidKey)
        /// A software (development) credential presented to a production relying party.
        public static let softwareCredentialRefused = Code(.softwareCredentialRefused)
        /// The assertion names a credential other than the stored one.
        public static let wrongCredential = Code(.wrongCredential)
        /// The backup-eligible flag (BE) differs from the one recorded at registration.
        public static let backupEligibilityChanged = Code(.backupEligibilityChanged)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let reason: String
    public let fileID: String
    public let line: Int

    public init(_ code: Code, _ reason: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.fileID = fileID
        self.line = line
    }
}
