import Crypto
import CustosCore
import CustosCrypto
import CustosMPC

/// How an offline signer joins a vault (#15 item 3): its Ed25519 identity key (which signs its
/// responses), its additive public key Y_off (the vault key is Y_on + Y_off) and a proof that it
/// knows s_off, all bound to one cluster (genesis digest), one vault and its scheme, and signed
/// by the identity key. Made before the vault's key generation and carried inside the governed
/// create-vault operation; every node checks it (`verify`) before the vault exists.
///
/// Canonical encoding: the tag `custos.offline.enrolment`, a version byte, then the fields in
/// order, the identity signature last over every byte before it. At most `maximumBytes`.
public struct OfflineEnrolment: Sendable, Hashable, Codable {
    static let tag = "custos.offline.enrolment"
    static let possessionTag = "custos.offline.possession"
    /// About 300 bytes with the longest ids.
    public static let maximumBytes = 1024

    public let genesisDigest: [UInt8]
    public let vault: String
    public let scheme: Vault.Scheme
    /// The offline signer's Ed25519 identity public key (32 bytes).
    public let identityKey: [UInt8]
    /// Y_off in the suite's element encoding (32 bytes Ed25519, 33 compressed secp256k1).
    public let offlineKey: [UInt8]
    /// The proof of possession of s_off, in the suite's signature encoding (64 bytes).
    public let proof: [UInt8]
    /// The identity key's Ed25519 signature over `signedBytes`.
    public let signature: [UInt8]

    /// Makes and signs an enrolment for `key`, whose suite must be the scheme's.
    public static func make<Suite: Ciphersuite>(
        key: FROST<Suite>.AdditiveKey, identity: Curve25519.Signing.PrivateKey,
        genesisDigest: [UInt8], vault: String, scheme: Vault.Scheme
    ) throws(GovernanceError) -> OfflineEnrolment {
        try OfflineScheme.require(scheme)
        try OfflineScheme.requireSuite(Suite.self, scheme)
        let identityKey = Array(identity.publicKey.rawRepresentation)
        let context = possessionContext(genesisDigest: genesisDigest, vault: vault, scheme: scheme, identityKey: identityKey)
        let offlineKey: [UInt8]
        let proof: [UInt8]
        let possession: DKG<Suite>.Round1.ProofOfKnowledge
        do { possession = try key.proofOfPossession(context: context) } catch {
            throw GovernanceError(.offlineRefused, "proof of possession: \(error.reason)")
        }
        do throws(CustosCrypto.CryptoError) {
            offlineKey = try key.publicKey.serialized()
            proof = try possession.serializedBytes
        } catch {
            throw GovernanceError(.offlineRefused, "offline key: \(error.reason)")
        }
        let unsigned = OfflineEnrolment(genesisDigest: genesisDigest, vault: vault, scheme: scheme, identityKey: identityKey,
                                        offlineKey: offlineKey, proof: proof, signature: [])
        let signature = try OfflineWire.sign(unsigned.signedBytes, with: identity)
        let enrolment = OfflineEnrolment(genesisDigest: genesisDigest, vault: vault, scheme: scheme, identityKey: identityKey,
                                         offlineKey: offlineKey, proof: proof, signature: signature)
        // Refuse to hand out what no node would take (an id over the bound, a wrong digest length).
        _ = try OfflineEnrolment(serializedBytes: enrolment.serializedBytes)
        return enrolment
    }

    init(genesisDigest: [UInt8], vault: String, scheme: Vault.Scheme, identityKey: [UInt8], offlineKey: [UInt8],
         proof: [UInt8], signature: [UInt8]) {
        self.genesisDigest = genesisDigest
        self.vault = vault
        self.scheme = scheme
        self.identityKey = identityKey
        self.offlineKey = offlineKey
        self.proof = proof
        self.signature = signature
    }

    /// What the proof of possession is bound to: the cluster, the vault, the scheme and the
    /// identity key (Y_off itself is bound by the proof's challenge).
    static func possessionContext(genesisDigest: [UInt8], vault: String, scheme: Vault.Scheme, identityKey: [UInt8]) -> [UInt8] {
        var w = OfflineWire.writer(tag: possessionTag, genesisDigest: genesisDigest, vault: vault, scheme: scheme)
        w.append(lengthPrefixed: identityKey)
        return w.bytes
    }

    /// Every byte of the encoding before the signature: what the identity key signs.
    var signedBytes: [UInt8] {
        var w = OfflineWire.writer(tag: Self.tag, genesisDigest: genesisDigest, vault: vault, scheme: scheme)
        w.append(lengthPrefixed: identityKey)
        w.append(lengthPrefixed: offlineKey)
        w.append(lengthPrefixed: proof)
        return w.bytes
    }

    /// What people compare between the offline machine's screen and the create-vault proposal:
    /// the first 16 bytes of SHA-256 of the encoding, in groups of four hex digits.
    public var fingerprint: String {
        let hex = Array(Hashes.sha256(serializedBytes).prefix(16)).hexString
        return stride(from: 0, to: hex.count, by: 4).map { i in
            String(hex[hex.index(hex.startIndex, offsetBy: i)..<hex.index(hex.startIndex, offsetBy: i + 4)])
        }.joined(separator: " ")
    }

    public var serializedBytes: [UInt8] {
        var w = CanonicalWriter()
        w.append(raw: signedBytes)
        w.append(lengthPrefixed: signature)
        return w.bytes
    }

    /// Decodes strictly: `malformed`, naming the field, for anything that is not one canonical
    /// enrolment of a FROST scheme with well-formed keys; `oversize` above `maximumBytes`. Does
    /// not check signatures or the proof (`verify` does).
    public init(serializedBytes bytes: [UInt8]) throws(GovernanceError) {
        let header = try OfflineWire.reader(bytes, tag: Self.tag, what: "offline enrolment", maximumBytes: Self.maximumBytes)
        var r = header.reader
        let (genesisDigest, vault, scheme) = (header.genesisDigest, header.vault, header.scheme)
        let identityKey = try r.bytes("identity key", max: 32)
        guard (try? Curve25519.Signing.PublicKey(rawRepresentation: identityKey)) != nil, identityKey.count == 32 else {
            throw r.fail("identity key is not an Ed25519 public key")
        }
        let offlineKey = try r.bytes("offline key", max: 33)
        let proof = try r.bytes("proof of possession", max: 64)
        let signature = try OfflineWire.signature(&r)
        self.init(genesisDigest: genesisDigest, vault: vault, scheme: scheme, identityKey: identityKey,
                  offlineKey: offlineKey, proof: proof, signature: signature)
        do {
            switch scheme {
            case .frostEd25519: try checkKeyAndProof(Ed25519SHA512.self)
            case .frostTaproot: try checkKeyAndProof(Secp256k1TaprootSHA256.self)
            case .ecdsaSecp256k1: break
            }
        } catch {
            throw GovernanceError(.malformed, "offline enrolment: \(error.reason)")
        }
    }

    private func checkKeyAndProof<Suite: Ciphersuite>(_: Suite.Type) throws(GovernanceError) {
        _ = try offlineKey(Suite.self)
        _ = try proofOfPossession(Suite.self)
    }

    /// Y_off as a group element of `Suite` (which must be the scheme's).
    public func offlineKey<Suite: Ciphersuite>(_: Suite.Type) throws(GovernanceError) -> Suite.Element {
        try OfflineScheme.requireSuite(Suite.self, scheme)
        do throws(CustosCrypto.CryptoError) {
            guard offlineKey.count == Suite.Element.byteCount else {
                throw CustosCrypto.CryptoError(.invalidLength, "\(offlineKey.count) bytes, not \(Suite.Element.byteCount)")
            }
            return try Suite.Element(serialized: offlineKey[...])
        } catch {
            throw GovernanceError(.offlineRefused, "offline key is not a \(Suite.name) public key: \(error.reason)")
        }
    }

    func proofOfPossession<Suite: Ciphersuite>(_: Suite.Type) throws(GovernanceError) -> DKG<Suite>.Round1.ProofOfKnowledge {
        do { return try DKG<Suite>.Round1.ProofOfKnowledge(serializedBytes: proof) } catch {
            throw GovernanceError(.offlineRefused, "proof of possession is not a \(Suite.name) proof: \(error.reason)")
        }
    }

    /// Checks the enrolment for the vault `vault` of scheme `scheme` in the cluster with
    /// `genesisDigest`: `offlineRefused`, naming what is wrong, for another cluster, vault or
    /// scheme, an identity signature that does not verify, or a proof of possession that does not
    /// verify for this cluster, vault, scheme, identity key and offline key.
    public func verify(genesisDigest: [UInt8], vault: String, scheme: Vault.Scheme) throws(GovernanceError) {
        try OfflineWire.check("offline enrolment", genesisDigest: self.genesisDigest, vault: self.vault, scheme: self.scheme,
                              signedBytes: signedBytes, signature: signature, expectedGenesisDigest: genesisDigest,
                              expectedVault: vault, expectedScheme: scheme, identityKey: identityKey)
        switch scheme {
        case .frostEd25519: try verifyPossession(Ed25519SHA512.self)
        case .frostTaproot: try verifyPossession(Secp256k1TaprootSHA256.self)
        case .ecdsaSecp256k1: try OfflineScheme.require(scheme)
        }
    }

    private func verifyPossession<Suite: Ciphersuite>(_: Suite.Type) throws(GovernanceError) {
        let context = Self.possessionContext(genesisDigest: genesisDigest, vault: vault, scheme: scheme, identityKey: identityKey)
        let key = try offlineKey(Suite.self)
        let proof = try proofOfPossession(Suite.self)
        do {
            try FROST<Suite>.verifyPossession(of: key, proof: proof, context: context)
        } catch {
            throw GovernanceError(.offlineRefused, "the offline enrolment's proof of possession does not verify (\(error.reason))")
        }
    }
}
