import Crypto
import CustosCore

/// The framing the offline formats share: the tag, the version byte, the cluster, vault and
/// scheme that every one binds first, and the Ed25519 identity signature over every byte before
/// it, last.
enum OfflineWire {
    static let version: UInt8 = 1
    /// The id bound; `OfflineAttestation` decodes the same (airgapB 9c849a9), so a vault that can
    /// enrol can sign.
    static let maximumIDLength = 256

    /// Starts an encoding of `tag` with the common fields.
    static func writer(tag: String, genesisDigest: [UInt8], vault: String, scheme: Vault.Scheme) -> CanonicalWriter {
        var w = CanonicalWriter(tag: tag)
        w.append(version)
        w.append(lengthPrefixed: genesisDigest)
        w.append(string: vault)
        w.append(string: scheme.rawValue)
        return w
    }

    /// Starts reading an encoding of `tag`: the size bound, the version, a 32-byte genesis
    /// digest, a non-empty vault and a FROST scheme.
    static func reader(
        _ bytes: [UInt8], tag: String, what: String, maximumBytes: Int
    ) throws(GovernanceError) -> (reader: GovernanceReader, genesisDigest: [UInt8], vault: String, scheme: Vault.Scheme) {
        guard bytes.count <= maximumBytes else {
            throw GovernanceError(.oversize, "an \(what) has at most \(maximumBytes) bytes, not \(bytes.count)")
        }
        var r = try GovernanceReader(bytes, tag: tag, what: what)
        let version = try r.uint8("version")
        guard version == Self.version else { throw r.fail("version \(version) is not \(Self.version)") }
        let genesisDigest = try r.bytes("genesis digest", max: 32)
        guard genesisDigest.count == 32 else { throw r.fail("genesis digest has \(genesisDigest.count) bytes, not 32") }
        let vault = try r.string("vault", max: maximumIDLength)
        guard !vault.isEmpty else { throw r.fail("vault is empty") }
        let schemeName = try r.string("scheme", max: 32)
        guard let scheme = Vault.Scheme(rawValue: schemeName) else { throw r.fail("scheme \"\(schemeName.printable(limit: 32))\" is unknown") }
        guard scheme != .ecdsaSecp256k1 else { throw r.fail("scheme \(scheme.rawValue) takes no offline share") }
        return (r, genesisDigest, vault, scheme)
    }

    /// Reads the 64-byte signature that ends every encoding, and the end.
    static func signature(_ r: inout GovernanceReader) throws(GovernanceError) -> [UInt8] {
        let signature = try r.bytes("signature", max: 64)
        try r.finish()
        guard signature.count == 64 else { throw r.fail("signature has \(signature.count) bytes, not 64") }
        return signature
    }

    static func sign(_ bytes: [UInt8], with identity: Curve25519.Signing.PrivateKey) throws(GovernanceError) -> [UInt8] {
        do { return Array(try identity.signature(for: bytes)) } catch {
            throw GovernanceError(.offlineRefused, "the identity key cannot sign")
        }
    }

    /// `offlineRefused` naming the first of cluster, vault and scheme that is not the expected
    /// one, or a signature that does not verify under `identityKey`.
    static func check(
        _ what: String, genesisDigest: [UInt8], vault: String, scheme: Vault.Scheme, signedBytes: [UInt8], signature: [UInt8],
        expectedGenesisDigest: [UInt8], expectedVault: String, expectedScheme: Vault.Scheme, identityKey: [UInt8]
    ) throws(GovernanceError) {
        guard genesisDigest == expectedGenesisDigest else {
            throw GovernanceError(.offlineRefused, "the \(what) is for another cluster (genesis digest differs)")
        }
        guard vault == expectedVault else {
            throw GovernanceError(.offlineRefused, "the \(what) is for vault \(vault.printable(limit: 64)), not \(expectedVault.printable(limit: 64))")
        }
        guard scheme == expectedScheme else {
            throw GovernanceError(.offlineRefused, "the \(what) is for a \(scheme.rawValue) vault, not \(expectedScheme.rawValue)")
        }
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: identityKey),
              key.isValidSignature(signature, for: signedBytes)
        else {
            throw GovernanceError(.offlineRefused, "the \(what)'s identity signature does not verify")
        }
    }
}
