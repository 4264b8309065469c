import CustosCore
import CustosCrypto

extension KeyPackage {
    /// The public key that `shares` interpolate to at zero (Σ λ_i·s_i·G, λ over their
    /// identifiers): the group key exactly when they are at least a threshold of shares of one
    /// sharing. Only the point is returned, never the interpolated secret. It answers which shares
    /// combine (after a reshare, a removed node's old share must not combine with the new ones);
    /// it is never a way to sign.
    package static func interpolatedKey(of shares: [KeyPackage<Suite>]) throws(MPCError) -> Suite.Element {
        let ids = shares.map(\.identifier)
        var secret = Suite.Scalar.zero
        for share in shares { secret = secret + (try Lagrange.coefficient(for: share.identifier, in: ids)) * share.signingShare }
        return Suite.Element.generatorMultiple(secret)
    }
}
