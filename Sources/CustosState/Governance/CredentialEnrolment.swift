import CustosCore
import CustosCrypto

/// A one-time enrolment the quorum approved (`GovernanceChange.enrolCredential`): `user` may
/// register one credential themselves, before `expiresAt` (block time), by presenting the code
/// whose digest the operation named together with a registration whose challenge binds this
/// cluster's genesis digest, the enrolment, the person and the code
/// (`registrationChallenge(genesisDigest:enrolmentId:user:code:)`). Used once: the credential it
/// registered is recorded and the enrolment never counts again. Public data: the log holds the
/// code's digest, never the code until the person spends it.
public struct CredentialEnrolment: Sendable, Hashable {
    /// The id of the operation that approved it.
    public let id: String
    public let user: String
    /// `CredentialEnrolment.digest(ofCode:)` of the code the person holds.
    public let codeDigest: [UInt8]
    /// Block time (ms) from which it no longer counts.
    public let expiresAt: UInt64
    /// Block time (ms) at which the person registered with it; nil while unused.
    public internal(set) var usedAt: UInt64?
    /// The credential it registered.
    public internal(set) var credentialId: [UInt8]?

    /// Codes carry 16 to 64 bytes; a code of fewer than 16 could be guessed by whoever reads the log.
    public static let codeLengths = 16...64
    /// Longest an enrolment may wait for its registration: 30 days.
    public static let maximumValidSeconds: UInt32 = 30 * 24 * 3600

    /// What an enrolment operation names for `code`.
    public static func digest(ofCode code: [UInt8]) -> [UInt8] {
        Hashes.tagged("custos/governance/enrolment-code", code)
    }

    /// The challenge the person's registration signs: it binds the cluster (genesis digest), the
    /// enrolment, the person and the code, so it counts for no other cluster, enrolment or person.
    public static func registrationChallenge(genesisDigest: [UInt8], enrolmentId: String, user: String, code: [UInt8]) -> [UInt8] {
        var w = CanonicalWriter(tag: "custos.governance.enrolment-registration.v1")
        w.append(lengthPrefixed: genesisDigest)
        w.append(string: enrolmentId)
        w.append(string: user)
        w.append(lengthPrefixed: code)
        return Hashes.sha256(w.bytes)
    }
}
