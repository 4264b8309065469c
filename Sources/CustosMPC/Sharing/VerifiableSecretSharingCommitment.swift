import CustosCrypto

/// Feldman commitments to a sharing polynomial: C_k = a_k·G for every coefficient. Anyone can
/// compute the public image of a share, f(x)·G = Σ C_k·x^k, and so check a share against it.
public struct VerifiableSecretSharingCommitment<Suite: Ciphersuite>: Sendable, Equatable {
    public let coefficients: [Suite.Element]

    public init(coefficients: [Suite.Element]) { self.coefficients = coefficients }

    init(polynomial: Polynomial<Suite.Scalar>) {
        coefficients = polynomial.coefficients.map { Suite.Element.generatorMultiple($0) }
    }

    /// The commitment to the constant term: the dealer's contribution to the group key.
    public var constantTerm: Suite.Element { coefficients.first ?? .identity }

    /// Σ C_k·x^k: the public image of the share at `x`.
    public func evaluate(at x: Suite.Scalar) -> Suite.Element {
        guard let first = coefficients.first else { return .identity }
        var power = x
        var terms: [Suite.Element] = [first]
        terms.reserveCapacity(coefficients.count)
        for c in coefficients.dropFirst() {
            terms.append(.variableTimeMultiply(power, c))
            power = power * x
        }
        return Suite.Element.sum(terms)
    }

    /// Whether `share` is the dealer's polynomial evaluated at `x` (Feldman check).
    public func verifies(share: Suite.Scalar, at x: Suite.Scalar) -> Bool {
        Suite.Element.generatorMultiple(share) == evaluate(at: x)
    }

    /// The sum of several dealers' commitments (coefficient-wise); all must have one length.
    static func sum(_ commitments: [VerifiableSecretSharingCommitment]) -> VerifiableSecretSharingCommitment {
        guard let length = commitments.first?.coefficients.count else { return .init(coefficients: []) }
        return .init(coefficients: (0..<length).map { k in Suite.Element.sum(commitments.map { $0.coefficients[k] }) })
    }
}
