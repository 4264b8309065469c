import CustosCore
import CustosCrypto

/// A FROST ciphersuite (RFC 9591 §6): a prime-order group, the hash functions H1–H5 and the
/// DKG's HDKG, plus the hooks a variant such as BIP-340 Taproot needs. The DKG, resharing and
/// signing code is written once against this protocol.
public protocol Ciphersuite: Sendable {
    associatedtype Element: GroupElement
    typealias Scalar = Element.Scalar

    /// RFC 9591 contextString.
    static var contextString: String { get }
    /// Human name, e.g. "FROST(Ed25519, SHA-512)".
    static var name: String { get }

    static func H1(_ m: [UInt8]) -> Scalar  // binding factors ("rho")
    static func H2(_ m: [UInt8]) -> Scalar  // challenge
    static func H3(_ m: [UInt8]) -> Scalar  // nonces
    static func H4(_ m: [UInt8]) -> [UInt8]  // message digest ("msg")
    static func H5(_ m: [UInt8]) -> [UInt8]  // commitment list digest ("com")
    /// The DKG proof-of-knowledge challenge hash (RFC 9591 Appendix C companion DKG).
    static func HDKG(_ m: [UInt8]) -> Scalar

    /// The Schnorr challenge c for group commitment R and (adjusted) group key.
    static func challenge(groupCommitment: Element, verifyingKey: Element, message: [UInt8]) throws(CryptoError) -> Scalar

    /// How the key is adjusted before signing: none for plain FROST; for Taproot, the BIP-341
    /// tweak and the BIP-340 even-y negation.
    static func keyAdjustment(groupKey: Element, tweak: TaprootTweak?) throws(MPCError) -> KeyAdjustment<Self>

    /// Whether every signer negates its nonces for group commitment R: never for plain FROST;
    /// for Taproot when R has odd y (BIP-340 uses the even-y R).
    static func negatesNonces(groupCommitment: Element) -> Bool

    /// Whether (R, z) is a valid signature on `message` under the (adjusted) group key.
    /// Default: z·G = R + c·PK (RFC 9591 §6 verify_signature); suites with an independent
    /// verifier in their C library use it.
    static func isValidSignature(commitment: Element, z: Scalar, message: [UInt8], key: Element) -> Bool

    /// The signature wire format and its inverse.
    static func serializeSignature(commitment: Element, z: Scalar) throws(CryptoError) -> [UInt8]
    static func deserializeSignature(_ bytes: [UInt8]) throws(CryptoError) -> (commitment: Element, z: Scalar)
    static var signatureByteCount: Int { get }
}

/// The affine map s ↦ ±s + offset applied to the secret key before signing, and the matching
/// map P ↦ ±P + offset·G on public keys (negation and tweak are linear, so every share and
/// verifying share can be mapped on its own: the offset is added to each share, which works
/// because Lagrange coefficients sum to one).
public struct KeyAdjustment<Suite: Ciphersuite>: Sendable {
    public let negate: Bool
    public let offset: Suite.Scalar
    /// The adjusted group key, when the suite computed it anyway (saves a multiplication).
    let adjustedGroupKey: Suite.Element?

    public init(negate: Bool, offset: Suite.Scalar) {
        self.init(negate: negate, offset: offset, adjustedGroupKey: nil)
    }

    init(negate: Bool, offset: Suite.Scalar, adjustedGroupKey: Suite.Element?) {
        self.negate = negate
        self.offset = offset
        self.adjustedGroupKey = adjustedGroupKey
    }

    public static var none: KeyAdjustment { KeyAdjustment(negate: false, offset: .zero) }

    /// The adjusted group key for `groupKey`, the key this adjustment was computed for.
    func apply(toGroupKey groupKey: Suite.Element) -> Suite.Element {
        adjustedGroupKey ?? apply(to: groupKey)
    }

    public func apply(to scalar: Suite.Scalar) -> Suite.Scalar {
        (negate ? -scalar : scalar) + offset
    }

    public func apply(to element: Suite.Element) -> Suite.Element {
        let signed = negate ? -element : element
        return offset.isZero ? signed : signed + Suite.Element.generatorMultiple(offset)
    }
}

/// A BIP-341 key tweak for Taproot: key-path-only outputs commit to an unspendable script
/// path (empty merkle root); outputs with scripts commit to their tree's merkle root.
public enum TaprootTweak: Sendable, Equatable {
    /// Q = P + H_TapTweak(P)·G — BIP-341's recommendation when there is no script path.
    case keyPathOnly
    /// Q = P + H_TapTweak(P ‖ merkleRoot)·G.
    case scriptTree(merkleRoot: [UInt8])
}

extension Ciphersuite {
    public static func challenge(groupCommitment: Element, verifyingKey: Element, message: [UInt8]) throws(CryptoError) -> Scalar {
        try H2(groupCommitment.serialized() + verifyingKey.serialized() + message)
    }

    public static func keyAdjustment(groupKey: Element, tweak: TaprootTweak?) throws(MPCError) -> KeyAdjustment<Self> {
        guard tweak == nil else {
            throw MPCError(.invalidParameters, "\(name) does not support Taproot tweaks")
        }
        return .none
    }

    public static func negatesNonces(groupCommitment: Element) -> Bool { false }

    public static func isValidSignature(commitment: Element, z: Scalar, message: [UInt8], key: Element) -> Bool {
        guard let c = try? challenge(groupCommitment: commitment, verifyingKey: key, message: message) else { return false }
        return Element.generatorMultiple(z) == commitment + .variableTimeMultiply(c, key)
    }

    public static func serializeSignature(commitment: Element, z: Scalar) throws(CryptoError) -> [UInt8] {
        try commitment.serialized() + z.rawRepresentation
    }

    public static func deserializeSignature(_ bytes: [UInt8]) throws(CryptoError) -> (commitment: Element, z: Scalar) {
        guard bytes.count == signatureByteCount else {
            throw CryptoError(.invalidLength, "a \(name) signature has \(signatureByteCount) bytes, not \(bytes.count)")
        }
        let split = Element.byteCount
        return (try Element(serialized: bytes[0..<split]), try Scalar(rawRepresentation: bytes[split...]))
    }

    public static var signatureByteCount: Int { Element.byteCount + Scalar.byteCount }
}
