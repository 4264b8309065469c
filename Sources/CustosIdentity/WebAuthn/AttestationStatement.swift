import Crypto
import CustosCore
import Foundation
import SwiftASN1
import X509

/// An attestation object's statement (WebAuthn Level 3 §6.5.4) in one of the formats Custos
/// reads: `none`, `packed` (§8.2) and `fido-u2f` (§8.6). Other formats are refused with
/// `unsupportedAttestation`, never silently ignored.
public struct AttestationStatement: Sendable {
    /// The formats Custos reads.
    public enum Format: String, Sendable, Hashable {
        /// No statement: nothing is proven about the authenticator.
        case noAttestation = "none"
        case packed
        case fidoU2F = "fido-u2f"
    }

    /// What a verified statement proves about the authenticator.
    public enum Trust: Sendable, Hashable {
        /// Nothing: format `none`, or `packed` self attestation (signed by the credential itself).
        case unattested
        /// Its statement verifies under an attestation certificate; `anchored` when the
        /// certificate chains to one of the roots the relying party trusts.
        case certified(anchored: Bool)
    }

    public let format: Format
    public let authenticatorData: AuthenticatorData
    let statement: [(key: CBORValue, value: CBORValue)]

    /// OID of the FIDO extension that carries the authenticator's AAGUID in its attestation certificate.
    static let aaguidExtension: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4]
    /// Longest certificate chain read from a statement.
    static let maximumChainLength = 5

    /// Parses an attestationObject {fmt, attStmt, authData}; refuses anything else it carries.
    public init(_ attestationObject: [UInt8]) throws(WebAuthnError) {
        let value: CBORValue
        do {
            value = try CBORDecoder(maxDepth: 12, maxInputBytes: WebAuthnRegistration.maxAttestationObjectLength).decode(attestationObject)
        } catch {
            throw WebAuthnError(.malformed, "attestationObject: CBOR \(error)")
        }
        guard let map = value.mapValue else {
            throw WebAuthnError(.malformed, "attestationObject is a \(value.typeName), not a map")
        }
        for entry in map {
            guard let name = entry.key.textValue, ["fmt", "attStmt", "authData"].contains(name) else {
                throw WebAuthnError(.malformed, "attestationObject has an unexpected member")
            }
        }
        guard let fmt = value[.text("fmt")]?.textValue else {
            throw WebAuthnError(.malformed, "attestationObject has no text \"fmt\"")
        }
        guard let statement = value[.text("attStmt")]?.mapValue else {
            throw WebAuthnError(.malformed, "attestationObject has no map \"attStmt\"")
        }
        guard let authDataBytes = value[.text("authData")]?.bytesValue else {
            throw WebAuthnError(.malformed, "attestationObject has no byte string \"authData\"")
        }
        guard let format = Format(rawValue: fmt) else {
            throw WebAuthnError(
                .unsupportedAttestation, "attestation format \"\(fmt.printable(limit: 32))\" is not accepted; request packed, fido-u2f or none")
        }
        if format == .noAttestation && !statement.isEmpty {
            throw WebAuthnError(.malformed, "attestation format \"none\" requires an empty attStmt")
        }
        self.format = format
        self.statement = statement
        self.authenticatorData = try AuthenticatorData(authDataBytes)
    }

    /// Verifies the statement over the authenticator data and `clientDataHash` (§8.2, §8.6
    /// verification procedures), and its certificate chain against `roots` (DER certificates)
    /// at `time` (ms since the Unix epoch; nil checks no validity period). Throws when a
    /// statement is malformed or its signature does not verify; a chain that reaches none of
    /// `roots` is `certified(anchored: false)`, for the caller to refuse where it must.
    public func verify(clientDataHash: [UInt8], roots: [[UInt8]], at time: UInt64?) throws(WebAuthnError) -> Trust {
        guard let attested = authenticatorData.attestedCredentialData else {
            throw WebAuthnError(.malformed, "registration authenticator data has no attested credential data (AT)")
        }
        let signed = authenticatorData.rawValue + clientDataHash
        switch format {
        case .noAttestation:
            return .unattested
        case .packed:
            try expectMembers(["alg", "sig", "x5c"])
            guard let alg = member("alg")?.int64 else { throw WebAuthnError(.malformed, "packed attStmt has no integer \"alg\"") }
            let sig = try signature()
            guard let x5c = try chain() else {
                // Self attestation: the credential key signs, and proves nothing about the device.
                guard alg == attested.publicKey.algorithm.rawValue else {
                    throw WebAuthnError(.malformed, "packed self attestation names alg \(alg), not the credential's")
                }
                guard attested.publicKey.isValidSignature(sig, for: signed) else {
                    throw WebAuthnError(.badSignature, "the packed self attestation signature does not verify")
                }
                return .unattested
            }
            guard alg == COSEKey.Algorithm.es256.rawValue else {
                throw WebAuthnError(.unsupportedAttestation, "packed attestation with alg \(alg); ES256 (-7) is accepted")
            }
            try Self.checkPackedCertificate(x5c[0], aaguid: attested.aaguid)
            guard x5c[0].publicKey.isValidSignature(sig, for: signed, signatureAlgorithm: .ecdsaWithSHA256) else {
                throw WebAuthnError(.badSignature, "the packed attestation signature does not verify under its certificate")
            }
            return .certified(anchored: try Self.anchored(x5c, roots: roots, at: time))
        case .fidoU2F:
            try expectMembers(["sig", "x5c"])
            let sig = try signature()
            guard let x5c = try chain(), x5c.count == 1 else {
                throw WebAuthnError(.malformed, "fido-u2f attStmt carries exactly one certificate in \"x5c\"")
            }
            guard P256.Signing.PublicKey(x5c[0].publicKey) != nil else {
                throw WebAuthnError(.unsupportedAttestation, "the fido-u2f attestation certificate's key is not P-256")
            }
            guard case .p256(let key) = attested.publicKey.key else {
                throw WebAuthnError(.unsupportedKey, "a fido-u2f credential key is P-256")
            }
            let point = Array(key.x963Representation)
            let verificationData = [0x00] + authenticatorData.rpIdHash + clientDataHash + attested.credentialId + point
            guard x5c[0].publicKey.isValidSignature(sig, for: verificationData, signatureAlgorithm: .ecdsaWithSHA256) else {
                throw WebAuthnError(.badSignature, "the fido-u2f attestation signature does not verify under its certificate")
            }
            return .certified(anchored: try Self.anchored(x5c, roots: roots, at: time))
        }
    }

    private func member(_ name: String) -> CBORValue? { statement.first { $0.key == .text(name) }?.value }

    private func expectMembers(_ names: Set<String>) throws(WebAuthnError) {
        for entry in statement {
            guard let name = entry.key.textValue, names.contains(name) else {
                throw WebAuthnError(.malformed, "\(format.rawValue) attStmt has an unexpected member")
            }
        }
    }

    private func signature() throws(WebAuthnError) -> [UInt8] {
        guard let sig = member("sig")?.bytesValue, !sig.isEmpty, sig.count <= 512 else {
            throw WebAuthnError(.malformed, "\(format.rawValue) attStmt has no byte string \"sig\"")
        }
        return sig
    }

    /// The certificates of "x5c", leaf first; nil when absent.
    private func chain() throws(WebAuthnError) -> [Certificate]? {
        guard let value = member("x5c") else { return nil }
        guard case .array(let items) = value, (1...Self.maximumChainLength).contains(items.count) else {
            throw WebAuthnError(.malformed, "\(format.rawValue) attStmt \"x5c\" is not an array of 1 to \(Self.maximumChainLength) certificates")
        }
        var certificates: [Certificate] = []
        for (i, item) in items.enumerated() {
            guard let der = item.bytesValue else { throw WebAuthnError(.malformed, "x5c[\(i)] is not a byte string") }
            certificates.append(try Self.certificate(der, "x5c[\(i)]"))
        }
        return certificates
    }

    /// Whether `der` is an X.509 certificate in DER, as an attestation root must be.
    public static func isCertificate(_ der: [UInt8]) -> Bool { (try? Certificate(derEncoded: der)) != nil }

    static func certificate(_ der: [UInt8], _ what: String) throws(WebAuthnError) -> Certificate {
        do { return try Certificate(derEncoded: der) } catch {
            throw WebAuthnError(.malformed, "\(what) is not a DER X.509 certificate")
        }
    }

    /// §8.2.1: a packed attestation certificate is an end-entity certificate whose subject OU is
    /// "Authenticator Attestation", and names the authenticator's AAGUID if it names one.
    static func checkPackedCertificate(_ leaf: Certificate, aaguid: [UInt8]) throws(WebAuthnError) {
        guard leaf.version == .v3 else { throw WebAuthnError(.malformed, "the packed attestation certificate is not X.509 version 3") }
        if case .isCertificateAuthority? = try? leaf.extensions.basicConstraints {
            throw WebAuthnError(.malformed, "the packed attestation certificate is a CA certificate")
        }
        let units = leaf.subject.flatMap { $0 }.filter { $0.type == .RDNAttributeType.organizationalUnitName }.map { String(describing: $0.value) }
        guard units == ["Authenticator Attestation"] else {
            throw WebAuthnError(.malformed, "the packed attestation certificate's subject OU is not \"Authenticator Attestation\"")
        }
        if let ext = leaf.extensions[oid: aaguidExtension] {
            guard !ext.critical, Array(ext.value) == [0x04, 0x10] + aaguid else {
                throw WebAuthnError(.malformed, "the attestation certificate names another AAGUID than the authenticator data")
            }
        }
    }

    /// Whether `chain` (leaf first) leads to one of `roots`: each certificate signed by the next,
    /// every signer a CA, the last one a root or signed by one, each valid at `time` when given.
    static func anchored(_ chain: [Certificate], roots: [[UInt8]], at time: UInt64?) throws(WebAuthnError) -> Bool {
        guard !roots.isEmpty else { return false }
        var anchors: [Certificate] = []
        for (i, der) in roots.enumerated() { anchors.append(try certificate(der, "attestation root \(i)")) }
        let date = time.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        func valid(_ c: Certificate) -> Bool {
            guard let date else { return true }
            return c.notValidBefore <= date && date <= c.notValidAfter
        }
        func isCA(_ c: Certificate) -> Bool {
            if case .isCertificateAuthority? = try? c.extensions.basicConstraints { return true }
            return false
        }
        func signs(_ issuer: Certificate, _ subject: Certificate) -> Bool {
            subject.issuer == issuer.subject && issuer.publicKey.isValidSignature(subject.signature, for: subject)
        }
        for (i, c) in chain.enumerated() {
            // A statement may carry the root itself after the certificate it signed.
            if i > 0 && anchors.contains(c) { return valid(c) }
            guard valid(c) else { return false }
            if let root = anchors.first(where: { signs($0, c) }) { return valid(root) }
            guard i + 1 < chain.count, isCA(chain[i + 1]), signs(chain[i + 1], c) else { return false }
        }
        return false
    }
}
