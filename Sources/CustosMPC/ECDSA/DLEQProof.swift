import CustosCore
import CustosCrypto

/// A Chaum–Pedersen proof that two points have the same discrete logarithm with respect to
/// two bases: given (G₁, P₁ = s·G₁) and (G₂, P₂ = s·G₂), it shows P₁ and P₂ share s without
/// revealing it (Fiat–Shamir, bound to a context).
public struct DLEQProof: Sendable, Equatable {
    public let challenge: Secp256k1.Scalar
    public let response: Secp256k1.Scalar

    public init(challenge: Secp256k1.Scalar, response: Secp256k1.Scalar) {
        self.challenge = challenge
        self.response = response
    }

    /// Proves knowledge of `secret` with P₁ = secret·G₁ and P₂ = secret·G₂.
    public static func prove(
        secret: Secp256k1.Scalar, base1: Secp256k1.Point, base2: Secp256k1.Point, context: [UInt8]
    ) throws(MPCError) -> DLEQProof {
        let nonce = Secp256k1.Scalar.random()
        let c = try challenge(base1: base1, point1: secret * base1, base2: base2, point2: secret * base2,
                              commitment1: nonce * base1, commitment2: nonce * base2, context: context)
        return DLEQProof(challenge: c, response: nonce - c * secret)
    }

    public func verifies(
        base1: Secp256k1.Point, point1: Secp256k1.Point, base2: Secp256k1.Point, point2: Secp256k1.Point, context: [UInt8]
    ) -> Bool {
        let commitment1 = Secp256k1.Point.variableTimeMultiply(response, base1) + .variableTimeMultiply(challenge, point1)
        let commitment2 = Secp256k1.Point.variableTimeMultiply(response, base2) + .variableTimeMultiply(challenge, point2)
        guard let c = try? Self.challenge(base1: base1, point1: point1, base2: base2, point2: point2,
                                          commitment1: commitment1, commitment2: commitment2, context: context)
        else { return false }
        return c == challenge
    }

    static func challenge(
        base1: Secp256k1.Point, point1: Secp256k1.Point, base2: Secp256k1.Point, point2: Secp256k1.Point,
        commitment1: Secp256k1.Point, commitment2: Secp256k1.Point, context: [UInt8]
    ) throws(MPCError) -> Secp256k1.Scalar {
        do {
            var transcript = Array("custos/dleq".utf8) + context
            for p in [base1, point1, base2, point2, commitment1, commitment2] { transcript += try p.compressedRepresentation() }
            return Secp256k1.Scalar(reducingBigEndian: Hashes.sha512(transcript))
        } catch {
            throw MPCError(.invalidParameters, "DLEQ statement contains the identity")
        }
    }
}
