import CustosCore
import CustosCrypto

/// A polynomial over the scalar field, f(x) = a₀ + a₁x + … (Shamir sharing, RFC 9591
/// Appendix C.1). Coefficients are secret; the type never prints them.
struct Polynomial<Scalar: GroupScalar>: Sendable {
    let coefficients: [Scalar]

    /// A random polynomial of the given degree with constant term `constant`.
    static func random(constant: Scalar, degree: Int) -> Polynomial {
        Polynomial(coefficients: [constant] + (0..<degree).map { _ in Scalar.random() })
    }

    /// Horner evaluation.
    func evaluate(at x: Scalar) -> Scalar {
        var result = Scalar.zero
        for c in coefficients.reversed() { result = result * x + c }
        return result
    }
}

/// Lagrange interpolation at zero over arbitrary identifiers (RFC 9591 §4.2 derive_interpolating_value).
enum Lagrange {
    /// λ_i = Π_{j≠i} x_j / (x_j − x_i). Refuses a set that does not contain `x` or has duplicates.
    static func coefficient<S: Ciphersuite>(
        for x: Identifier<S>, in set: [Identifier<S>]
    ) throws(MPCError) -> S.Scalar {
        guard set.contains(x) else {
            throw MPCError(.invalidParameters, "participant \(x) is not in the interpolation set")
        }
        guard Set(set).count == set.count else {
            throw MPCError(.duplicateParticipant, "the interpolation set has duplicate identifiers")
        }
        var numerator = S.Scalar.one
        var denominator = S.Scalar.one
        for other in set where other != x {
            numerator = numerator * other.scalar
            denominator = denominator * (other.scalar - x.scalar)
        }
        do {
            return numerator * (try denominator.inverse())
        } catch {
            throw MPCError(.invalidParameters, "interpolation set is degenerate")
        }
    }
}
