import CustosCore
import CustosCrypto
import CustosIdentity

/// A security officer's freeze of one node, made on that node's host without the gateway
/// (`custos node freeze`): their WebAuthn assertion over a challenge that binds the cluster's
/// genesis digest, the node's id, the moment it was made and a fresh nonce, so it counts for no
/// other cluster and no other node, only within `maximumAge` of being made, and (the node keeps
/// every freeze it took by `digest`) only once. The node checks it against its own committed
/// state (`ReplicatedState.verify(_:node:now:)`), records it as verified, and then releases no
/// key material until the quorum unfreezes in the log. Public data: it holds no secret.
public struct LocalFreeze: Sendable, Hashable, Codable {
    public let user: String
    /// The node it freezes.
    public let node: String
    /// Milliseconds since the Unix epoch when it was made.
    public let issuedAt: UInt64
    /// 16 to 64 random bytes: no two freezes are the same.
    public let nonce: [UInt8]
    public let assertion: WebAuthnAssertion.Response

    /// How long after it was made a freeze may first be taken: five minutes.
    public static let maximumAge: UInt64 = 5 * 60 * 1000
    /// How far ahead of the checking clock its time may be: one minute.
    public static let maximumClockSkew: UInt64 = 60 * 1000
    public static let nonceLengths = 16...64

    public init(user: String, node: String, issuedAt: UInt64, nonce: [UInt8], assertion: WebAuthnAssertion.Response) {
        self.user = user
        self.node = node
        self.issuedAt = issuedAt
        self.nonce = nonce
        self.assertion = assertion
    }

    /// What the officer's authenticator signs.
    public static func challenge(genesisDigest: [UInt8], node: String, issuedAt: UInt64, nonce: [UInt8]) -> [UInt8] {
        var w = CanonicalWriter(tag: "custos.node.local-freeze.v2")
        w.append(lengthPrefixed: genesisDigest)
        w.append(string: node)
        w.append(issuedAt)
        w.append(lengthPrefixed: nonce)
        return Hashes.sha256(w.bytes)
    }

    /// Names this freeze for its one-time use: the challenge it signs.
    public func digest(genesisDigest: [UInt8]) -> [UInt8] {
        Self.challenge(genesisDigest: genesisDigest, node: node, issuedAt: issuedAt, nonce: nonce)
    }
}
