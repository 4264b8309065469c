import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity

/// A one-time enrolment the quorum approved (`GovernanceChange.enrolCredential`): `user` may
/// register one credential themselves, before `expiresAt` (block time), with a registration
/// whose challenge binds this cluster's genesis digest, the enrolment, the person and the
/// enrolment's code key (`registrationChallenge(genesisDigest:enrolmentId:user:codeKey:)`),
/// signed by the code key (`proofInput(_:)`). Used once: the credential it registered is
/// recorded and the enrolment never counts again.
///
/// The code never travels: the person makes it (`custos op enrolment-code`, or the console's
/// enrolment page in their own browser) and gives only its public key to whoever proposes the
/// enrolment. Whoever relays the registration (the gateway) sees the key and the proof, never
/// the code, so it cannot register a credential of its own under the enrolment. Public data.
public struct CredentialEnrolment: Sendable, Hashable, Codable {
    /// The id of the operation that approved it.
    public let id: String
    public let user: String
    /// The Ed25519 public key of the person's code (`codeKey(ofCode:)`).
    public let codeKey: [UInt8]
    /// Block time (ms) from which it no longer counts.
    public let expiresAt: UInt64
    /// Block time (ms) at which the person registered with it; nil while unused.
    public internal(set) var usedAt: UInt64?
    /// The credential it registered.
    public internal(set) var credentialId: [UInt8]?

    /// Codes carry 16 to 64 bytes; a code of fewer than 16 could be guessed from its key in the log.
    public static let codeLengths = 16...64
    /// Longest an enrolment may wait for its registration: 30 days.
    public static let maximumValidSeconds: UInt32 = 30 * 24 * 3600

    /// The Ed25519 key a code stands for: its seed is `Hashes.tagged("custos/governance/enrolment-code", code)`
    /// (the console's script derives the same seed in the browser).
    public static func signingKey(ofCode code: [UInt8]) -> Curve25519.Signing.PrivateKey {
        // A 32-byte seed is always a valid key.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: Hashes.tagged("custos/governance/enrolment-code", code))
    }

    /// What an enrolment operation names for `code`: the public half of `signingKey(ofCode:)`.
    public static func codeKey(ofCode code: [UInt8]) -> [UInt8] {
        Array(signingKey(ofCode: code).publicKey.rawRepresentation)
    }

    /// The challenge the person's registration signs: it binds the cluster (genesis digest), the
    /// enrolment, the person and the code key, so it counts for no other cluster, enrolment or person.
    public static func registrationChallenge(genesisDigest: [UInt8], enrolmentId: String, user: String, codeKey: [UInt8]) -> [UInt8] {
        var w = CanonicalWriter(tag: "custos.governance.enrolment-registration.v2")
        w.append(lengthPrefixed: genesisDigest)
        w.append(string: enrolmentId)
        w.append(string: user)
        w.append(lengthPrefixed: codeKey)
        return Hashes.sha256(w.bytes)
    }

    /// What the code key signs to vouch for a registration:
    /// `Hashes.tagged("custos/governance/enrolment-proof", SHA-256(credential id) ‖ SHA-256(attestation object) ‖ SHA-256(client data))`.
    /// The client data carries the registration challenge, so the proof covers the cluster, the
    /// enrolment and the person as well as the credential.
    public static func proofInput(_ registration: WebAuthnRegistration.Response) -> [UInt8] {
        Hashes.tagged("custos/governance/enrolment-proof", Hashes.sha256(registration.credentialId)
            + Hashes.sha256(registration.attestationObject) + Hashes.sha256(registration.clientDataJSON))
    }

    /// Whether `proof` is this enrolment's code key's signature over `registration`: the one
    /// check every node makes, and the console makes first.
    public func isProof(_ proof: [UInt8], of registration: WebAuthnRegistration.Response) -> Bool {
        Ed25519.isValidSignature(proof, for: Self.proofInput(registration), publicKey: codeKey)
    }

    /// The code key's signature vouching for `registration`.
    public static func proof(code: [UInt8], registration: WebAuthnRegistration.Response) -> [UInt8] {
        // Signing with a valid key over bytes cannot fail.
        Array(try! signingKey(ofCode: code).signature(for: proofInput(registration)))
    }
}
