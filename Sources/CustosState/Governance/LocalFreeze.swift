import CustosCore
import CustosCrypto
import CustosIdentity

/// A security officer's freeze of one node, made on that node's host without the gateway
/// (`custos node freeze`): their WebAuthn assertion over a challenge that binds the cluster's
/// genesis digest, the node's id and the moment it was made, so it counts for no other cluster
/// and no other node. The node checks it against its own committed state
/// (`ReplicatedState.verify(_:node:)`) and then releases no key material until the quorum
/// unfreezes in the log. Public data: it holds no secret.
public struct LocalFreeze: Sendable, Hashable, Codable {
    public let user: String
    /// The node it freezes.
    public let node: String
    /// Milliseconds since the Unix epoch when it was made.
    public let issuedAt: UInt64
    public let assertion: WebAuthnAssertion.Response

    public init(user: String, node: String, issuedAt: UInt64, assertion: WebAuthnAssertion.Response) {
        self.user = user
        self.node = node
        self.issuedAt = issuedAt
        self.assertion = assertion
    }

    /// What the officer's authenticator signs.
    public static func challenge(genesisDigest: [UInt8], node: String, issuedAt: UInt64) -> [UInt8] {
        var w = CanonicalWriter(tag: "custos.node.local-freeze.v1")
        w.append(lengthPrefixed: genesisDigest)
        w.append(string: node)
        w.append(issuedAt)
        return Hashes.sha256(w.bytes)
    }
}
