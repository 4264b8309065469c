import CustosCore
import CustosCrypto

/// FROST(secp256k1, SHA-256) for Bitcoin Taproot: RFC 9591's secp256k1 suite with the BIP-340
/// challenge over x-only encodings, even-y handling of the group key and the group commitment,
/// and the BIP-341 key tweak. Aggregated signatures are 64-byte BIP-340 signatures under the
/// (tweaked) x-only output key. Context string as in ZcashFoundation's frost-secp256k1-tr.
public enum Secp256k1TaprootSHA256: Ciphersuite {
    public typealias Element = Secp256k1.Point
    public static let contextString = "FROST-secp256k1-SHA256-TR-v1"
    public static let name = "FROST(secp256k1, SHA-256, Taproot)"

    private static let context = Array(contextString.utf8)

    public static func H1(_ m: [UInt8]) -> Secp256k1.Scalar {
        Secp256k1SHA256.hashToField(m, dst: context + Array("rho".utf8))
    }
    /// The BIP-340 challenge hash.
    public static func H2(_ m: [UInt8]) -> Secp256k1.Scalar {
        Secp256k1.Scalar(reducingBigEndian: Hashes.tagged("BIP0340/challenge", m))
    }
    public static func H3(_ m: [UInt8]) -> Secp256k1.Scalar {
        Secp256k1SHA256.hashToField(m, dst: context + Array("nonce".utf8))
    }
    public static func H4(_ m: [UInt8]) -> [UInt8] { Hashes.sha256(context, Array("msg".utf8), m) }
    public static func H5(_ m: [UInt8]) -> [UInt8] { Hashes.sha256(context, Array("com".utf8), m) }
    public static func HDKG(_ m: [UInt8]) -> Secp256k1.Scalar {
        Secp256k1SHA256.hashToField(m, dst: context + Array("dkg".utf8))
    }

    /// BIP-340: c = H_challenge(x(R) ‖ x(P) ‖ m).
    public static func challenge(
        groupCommitment: Secp256k1.Point, verifyingKey: Secp256k1.Point, message: [UInt8]
    ) throws(CryptoError) -> Secp256k1.Scalar {
        try H2(groupCommitment.xOnlyRepresentation() + verifyingKey.xOnlyRepresentation() + message)
    }

    /// BIP-341 taproot tweak t = H_TapTweak(x(P) ‖ merkleRoot) for the even-y internal key P.
    public static func tapTweak(internalKey: Secp256k1.Point, merkleRoot: [UInt8]) throws(CryptoError) -> Secp256k1.Scalar {
        let digest = Hashes.tagged("TapTweak", try internalKey.xOnlyRepresentation(), merkleRoot)
        // BIP-341 fails when t ≥ n; this happens with negligible probability.
        return try Secp256k1.Scalar(rawRepresentation: digest)
    }

    /// The BIP-341 output key for `internalKey` and `tweak`, as BIP-340 sees it (even y).
    public static func outputKey(internalKey: Secp256k1.Point, tweak: TaprootTweak?) throws(MPCError) -> Secp256k1.Point {
        try keyAdjustment(groupKey: internalKey, tweak: tweak).apply(toGroupKey: internalKey)
    }

    /// Negate the internal key to even y, add the tweak, then negate again if the output key
    /// has odd y: s ↦ ±(±s + t), folded into one negation and one offset.
    public static func keyAdjustment(
        groupKey: Secp256k1.Point, tweak: TaprootTweak?
    ) throws(MPCError) -> KeyAdjustment<Self> {
        guard !groupKey.isIdentity else { throw MPCError(.invalidParameters, "group key is the identity") }
        let negateFirst = !groupKey.hasEvenY
        let evenKey = negateFirst ? -groupKey : groupKey
        let t: Secp256k1.Scalar
        do {
            switch tweak {
            case nil: t = .zero
            case .keyPathOnly: t = try tapTweak(internalKey: evenKey, merkleRoot: [])
            case .scriptTree(let root):
                guard root.count == 32 else {
                    throw MPCError(.invalidParameters, "a Taproot merkle root has 32 bytes, not \(root.count)")
                }
                t = try tapTweak(internalKey: evenKey, merkleRoot: root)
            }
        } catch let error as CryptoError {
            throw MPCError(.invalidParameters, "Taproot tweak: \(error.reason)")
        } catch let error as MPCError {
            throw error
        } catch {
            throw MPCError(.invalidParameters, "Taproot tweak failed")
        }
        let output = t.isZero ? evenKey : evenKey + Secp256k1.Point.generatorMultiple(t)
        guard !output.isIdentity else { throw MPCError(.invalidParameters, "tweaked key is the identity") }
        let negateSecond = !output.hasEvenY
        return KeyAdjustment(negate: negateFirst != negateSecond, offset: negateSecond ? -t : t,
                             adjustedGroupKey: negateSecond ? -output : output)
    }

    public static func negatesNonces(groupCommitment: Secp256k1.Point) -> Bool { !groupCommitment.hasEvenY }

    /// BIP-340 verification by libsecp256k1 under the x-only key; R must have even y.
    public static func isValidSignature(
        commitment: Secp256k1.Point, z: Secp256k1.Scalar, message: [UInt8], key: Secp256k1.Point
    ) -> Bool {
        guard commitment.hasEvenY, let signature = try? serializeSignature(commitment: commitment, z: z),
              let xOnlyKey = try? key.xOnlyRepresentation()
        else { return false }
        return Secp256k1.Schnorr.isValidSignature(signature, for: message, xOnlyPublicKey: xOnlyKey)
    }

    /// BIP-340: x(R) ‖ z.
    public static func serializeSignature(commitment: Secp256k1.Point, z: Secp256k1.Scalar) throws(CryptoError) -> [UInt8] {
        try commitment.xOnlyRepresentation() + z.rawRepresentation
    }

    public static func deserializeSignature(_ bytes: [UInt8]) throws(CryptoError) -> (commitment: Secp256k1.Point, z: Secp256k1.Scalar) {
        guard bytes.count == 64 else {
            throw CryptoError(.invalidLength, "a BIP-340 signature has 64 bytes, not \(bytes.count)")
        }
        return (try Secp256k1.Point(xOnly: bytes[0..<32]), try Secp256k1.Scalar(rawRepresentation: bytes[32...]))
    }

    public static var signatureByteCount: Int { 64 }
}
