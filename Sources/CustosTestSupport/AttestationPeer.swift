import CustosCore
import Foundation

/// Hardware-like WebAuthn registrations from `Tests/python/attestation_peer.py`: a test CA
/// (`cryptography`) that makes `packed` and `fido-u2f` attestations chaining to its root, and
/// another root that signed nothing; each statement also checked by python-fido2's and
/// py_webauthn's own verifiers.
public enum AttestationPeer {
    /// One registration the peer made, with the credential's private key (raw P-256 scalar) so
    /// a test can make assertions with it.
    public struct Registration: Sendable {
        public let credentialId: [UInt8]
        public let attestationObject: [UInt8]
        public let clientDataJSON: [UInt8]
        public let privateKey: [UInt8]
        public let aaguid: [UInt8]
        /// Whether python-fido2 accepted the statement and its chain to the trusted root (nil for "none").
        public let fido2: Bool?
        /// Whether py_webauthn accepted the registration against the trusted root (nil for "none").
        public let pyWebAuthn: Bool?
    }

    /// The test CA's root, a root that signed nothing (DER), and the registrations asked for.
    public struct Made: Sendable {
        public let trustedRoot: [UInt8]
        public let otherRoot: [UInt8]
        public let registrations: [Registration]
    }

    private struct Request: Encodable {
        struct Item: Encodable {
            let challenge: String
            let fmt: String
        }
        let rp_id: String
        let origin: String
        let seed: String
        let registrations: [Item]
    }

    private struct Response: Decodable {
        struct Item: Decodable {
            let credential_id, attestation_object, client_data, private_key, aaguid: String
            let fido2, py_webauthn: Bool?
        }
        let roots: [String: String]
        let registrations: [Item]
    }

    /// Registrations over each `(challenge, format)` (`packed`, `fido-u2f` or `none`) for the
    /// relying party `rpId` from `origin`, all attested by the test CA whose keys `seed` makes
    /// (a fresh one by default; calls with the same seed attest under the same roots).
    public static func make(rpId: String, origin: String, seed: String = UUID().uuidString,
                            _ items: [(challenge: [UInt8], format: String)]) async throws -> Made {
        let response = try await PythonPeer.call(
            "attestation_peer.py",
            Request(rp_id: rpId, origin: origin, seed: seed, registrations: items.map { .init(challenge: $0.challenge.hexString, fmt: $0.format) }),
            as: Response.self)
        func bytes(_ hex: String?) throws -> [UInt8] { try [UInt8](hex: hex ?? "") }
        return Made(
            trustedRoot: try bytes(response.roots["trusted"]), otherRoot: try bytes(response.roots["other"]),
            registrations: try response.registrations.map { r in
                Registration(credentialId: try bytes(r.credential_id), attestationObject: try bytes(r.attestation_object),
                             clientDataJSON: try bytes(r.client_data), privateKey: try bytes(r.private_key), aaguid: try bytes(r.aaguid),
                             fido2: r.fido2, pyWebAuthn: r.py_webauthn)
            })
    }
}
