import CustosCore

/// Authenticator data (WebAuthn Level 3 §6.1): the bytes an authenticator signs.
///
/// Layout: rpIdHash (32) ‖ flags (1) ‖ signCount (4, big-endian) ‖ attested credential data
/// (if AT) ‖ extensions CBOR map (if ED). Parsing is strict: every byte must be accounted for,
/// and AT/ED must agree with what follows.
public struct AuthenticatorData: Sendable, Hashable {
    /// The flags byte (§6.1 table).
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// UP: the user was present (touched the authenticator).
        public static let userPresent = Flags(rawValue: 0x01)
        /// UV: the user was verified (PIN, biometrics).
        public static let userVerified = Flags(rawValue: 0x04)
        /// BE: the credential may be backed up (a synced passkey).
        public static let backupEligible = Flags(rawValue: 0x08)
        /// BS: the credential is currently backed up.
        public static let backupState = Flags(rawValue: 0x10)
        /// AT: attested credential data follows.
        public static let attestedCredentialData = Flags(rawValue: 0x40)
        /// ED: an extensions map follows.
        public static let extensionData = Flags(rawValue: 0x80)
    }

    /// AAGUID, credential id and public key, present at registration (§6.5.1).
    public struct AttestedCredentialData: Sendable, Hashable {
        public let aaguid: [UInt8]
        public let credentialId: [UInt8]
        public let publicKey: COSEKey
    }

    /// Credential ids longer than this are refused (WebAuthn §5.8.3 caps them at 1023 bytes).
    public static let maxCredentialIdLength = 1023
    /// Authenticator data larger than this is refused before it is parsed.
    public static let maxLength = 16 * 1024

    public let rpIdHash: [UInt8]
    public let flags: Flags
    public let signCount: UInt32
    public let attestedCredentialData: AttestedCredentialData?
    /// The extension outputs map, if ED is set. Custos reads none of them but checks their form.
    public let extensions: CBORValue?
    /// The bytes exactly as received: what the signature covers.
    public let rawValue: [UInt8]

    public init(_ bytes: [UInt8]) throws(WebAuthnError) {
        guard bytes.count <= Self.maxLength else {
            throw WebAuthnError(.malformed, "authenticator data of \(bytes.count) bytes exceeds \(Self.maxLength)")
        }
        guard bytes.count >= 37 else {
            throw WebAuthnError(.malformed, "authenticator data has \(bytes.count) bytes; at least 37 are required")
        }
        rawValue = bytes
        rpIdHash = Array(bytes[0..<32])
        flags = Flags(rawValue: bytes[32])
        signCount = bytes[33..<37].reduce(0) { $0 << 8 | UInt32($1) }
        if flags.contains(.backupState) && !flags.contains(.backupEligible) {
            throw WebAuthnError(.malformed, "flags say backed up (BS) but not backup eligible (BE)")
        }

        var offset = 37
        // COSE keys and extension maps are small; a tight decoder bounds the work on hostile input.
        let decoder = CBORDecoder(maxDepth: 8, maxInputBytes: Self.maxLength)
        if flags.contains(.attestedCredentialData) {
            guard bytes.count - offset >= 18 else {
                throw WebAuthnError(.malformed, "AT is set but the attested credential data is truncated at offset \(offset)")
            }
            let aaguid = Array(bytes[offset..<(offset + 16)])
            let idLength = Int(bytes[offset + 16]) << 8 | Int(bytes[offset + 17])
            offset += 18
            guard idLength > 0, idLength <= Self.maxCredentialIdLength else {
                throw WebAuthnError(.malformed, "credential id length \(idLength) is outside 1...\(Self.maxCredentialIdLength)")
            }
            guard bytes.count - offset >= idLength else {
                throw WebAuthnError(.malformed, "credential id of \(idLength) bytes is truncated at offset \(offset)")
            }
            let credentialId = Array(bytes[offset..<(offset + idLength)])
            offset += idLength
            let keyStart = offset
            let keyValue: CBORValue
            do {
                (keyValue, offset) = try decoder.decodePrefix(bytes, from: offset)
            } catch {
                throw WebAuthnError(.malformed, "credential public key at offset \(keyStart): CBOR \(error)")
            }
            let key = try COSEKey(keyValue, encoded: Array(bytes[keyStart..<offset]))
            attestedCredentialData = AttestedCredentialData(aaguid: aaguid, credentialId: credentialId, publicKey: key)
        } else {
            attestedCredentialData = nil
        }
        if flags.contains(.extensionData) {
            let start = offset
            let value: CBORValue
            do {
                (value, offset) = try decoder.decodePrefix(bytes, from: offset)
            } catch {
                throw WebAuthnError(.malformed, "extensions at offset \(start): CBOR \(error)")
            }
            guard case .map = value else {
                throw WebAuthnError(.malformed, "extensions at offset \(start) are a \(value.typeName), not a map")
            }
            extensions = value
        } else {
            extensions = nil
        }
        guard offset == bytes.count else {
            throw WebAuthnError(.malformed, "\(bytes.count - offset) unexplained byte(s) after offset \(offset) (flags 0x\(String(flags.rawValue, radix: 16)))")
        }
    }
}
