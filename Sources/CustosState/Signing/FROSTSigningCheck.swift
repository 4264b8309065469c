import CustosCore
import CustosCrypto
import CustosMPC

/// What every node checks of a FROST vault's signing messages, for the two FROST schemes: a
/// published nonce commitment, the signing package a session makes, an aggregated signature and
/// one signer's share (for blame). Pure and deterministic. Taproot vaults sign under the BIP-341
/// key-path output key (`TaprootTweak.keyPathOnly`), the key of their `bc1p` address.
public enum FROSTSigningCheck {
    /// Checks that `bytes` are nonce commitments of the vault's scheme.
    public static func checkCommitments(_ scheme: Vault.Scheme, _ bytes: [UInt8]) throws(MPCError) {
        switch scheme {
        case .frostEd25519: _ = try FROST<Ed25519SHA512>.SigningCommitments(serializedBytes: bytes)
        case .frostTaproot: _ = try FROST<Secp256k1TaprootSHA256>.SigningCommitments(serializedBytes: bytes)
        case .ecdsaSecp256k1: throw MPCError(.invalidParameters, "an ECDSA vault signs with presignatures, not FROST nonces")
        }
    }

    /// The tweak a vault of `scheme` signs with.
    public static func tweak(_ scheme: Vault.Scheme) -> TaprootTweak? { scheme == .frostTaproot ? .keyPathOnly : nil }

    /// Whether `signature` (the suite's encoding) verifies for `message` under the vault's key.
    public static func verifies(_ scheme: Vault.Scheme, key: VaultKey, message: [UInt8], signature: [UInt8]) -> Bool {
        switch scheme {
        case .frostEd25519: return verifies(Ed25519SHA512.self, key, message, signature, nil)
        case .frostTaproot: return verifies(Secp256k1TaprootSHA256.self, key, message, signature, .keyPathOnly)
        case .ecdsaSecp256k1: return false
        }
    }

    /// Whether `share` (a FROST signature share, wire encoding) is `signer`'s correct share for the
    /// session: `commitments` by 1-based participant index, the message and the vault's key.
    /// Bytes that are no share do not verify (they are the signer's); throws only when what the
    /// log holds (the key, the commitments) does not make a valid signing package.
    /// `additive` is the offline signer's part of the package (its answer's commitments and its
    /// key Y_off, from the vault) for a vault with an offline share; `signer` is then
    /// `FROST.additiveIdentifierValue` to check the offline signer's own share.
    public static func shareVerifies(
        _ scheme: Vault.Scheme, key: VaultKey, commitments: [Int: [UInt8]], message: [UInt8], share: [UInt8], signer: Int,
        additive: Additive? = nil
    ) throws(MPCError) -> Bool {
        switch scheme {
        case .frostEd25519: return try shareVerifies(Ed25519SHA512.self, key, commitments, message, share, signer, nil, additive)
        case .frostTaproot:
            return try shareVerifies(Secp256k1TaprootSHA256.self, key, commitments, message, share, signer, .keyPathOnly, additive)
        case .ecdsaSecp256k1: throw MPCError(.invalidParameters, "not a FROST vault")
        }
    }

    /// The offline signer's part of a signing package, as the log holds it: the commitments of
    /// its answer and its key Y_off as its enrolment registered it in the vault (never as anyone
    /// presents it), both in the scheme's wire encoding.
    public struct Additive: Sendable, Hashable {
        public let commitments: [UInt8]
        public let publicKey: [UInt8]

        public init(commitments: [UInt8], publicKey: [UInt8]) {
            self.commitments = commitments
            self.publicKey = publicKey
        }
    }

    /// The signing package of a session, as every signer rebuilds it from the committed log.
    public static func package<Suite: Ciphersuite>(
        _: Suite.Type, commitments: [Int: [UInt8]], message: [UInt8], tweak: TaprootTweak?, additive: Additive? = nil
    ) throws(MPCError) -> FROST<Suite>.SigningPackage {
        var parsed: [Identifier<Suite>: FROST<Suite>.SigningCommitments] = [:]
        for (index, bytes) in commitments { parsed[try Identifier<Suite>(UInt64(index))] = try .init(serializedBytes: bytes) }
        var part: FROST<Suite>.AdditiveCommitment? = nil
        if let additive {
            let key: Suite.Element
            do { key = try Suite.Element(serialized: additive.publicKey) } catch {
                throw MPCError(.malformedMessage, "the vault's offline key does not decode: \(error.reason)")
            }
            part = try .init(commitments: .init(serializedBytes: additive.commitments), publicKey: key)
        }
        return FROST<Suite>.SigningPackage(commitments: parsed, message: message, tweak: tweak, additive: part)
    }

    private static func verifies<Suite: Ciphersuite>(
        _: Suite.Type, _ key: VaultKey, _ message: [UInt8], _ signature: [UInt8], _ tweak: TaprootTweak?
    ) -> Bool {
        // The vault key itself: for a vault with an offline share it is the nodes' key plus the
        // offline signer's (`VaultKey.groupKey`), not the key package's.
        guard let vaultKey = try? Suite.Element(serialized: key.groupKey),
              let parsed = try? FROST<Suite>.Signature(serializedBytes: signature)
        else { return false }
        return FROST<Suite>.verify(signature: parsed, message: message, verifyingKey: vaultKey, tweak: tweak)
    }

    private static func shareVerifies<Suite: Ciphersuite>(
        _: Suite.Type, _ key: VaultKey, _ commitments: [Int: [UInt8]], _ message: [UInt8], _ share: [UInt8], _ signer: Int,
        _ tweak: TaprootTweak?, _ additive: Additive?
    ) throws(MPCError) -> Bool {
        let pub = try PublicKeyPackage<Suite>(serializedBytes: key.publicKeyPackage)
        let package = try package(Suite.self, commitments: commitments, message: message, tweak: tweak, additive: additive)
        // The share is the signer's: bytes that are no share do not verify.
        guard let parsed = try? FROST<Suite>.SignatureShare(serializedBytes: share) else { return false }
        guard parsed.packageDigest == (try package.digest) else { return false }
        return try FROST<Suite>.verifySignatureShare(parsed, of: try Identifier<Suite>(UInt64(signer)), package: package,
                                                     publicKeyPackage: pub)
    }
}
