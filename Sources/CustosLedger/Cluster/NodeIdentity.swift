import Crypto
import CustosCrypto

/// A node's own id and Ed25519 identity signing key. The key never leaves this value except
/// through signatures; there is no accessor for its bytes here (sealing is the node's job).
public struct NodeIdentity: Sendable {
    public let id: NodeID
    let signingKey: Curve25519.Signing.PrivateKey

    public init(id: NodeID, signingKey: Curve25519.Signing.PrivateKey) {
        self.id = id
        self.signingKey = signingKey
    }

    public var publicKey: Curve25519.Signing.PublicKey { signingKey.publicKey }

    public var publicKeyBytes: [UInt8] { Array(signingKey.publicKey.rawRepresentation) }

    /// The member entry for a configuration.
    public func member() throws(LedgerError) -> Member { try Member(id: id, publicKey: publicKey) }

    /// Signs a 32-byte digest that another layer derived under its own domain tag (a proof of
    /// possession for joining, say). Votes sign longer, differently tagged messages, so such a
    /// signature never counts as a vote.
    public func signDigest(_ digest: [UInt8]) -> [UInt8] {
        precondition(digest.count == 32, "only 32-byte domain-separated digests")
        return sign(digest)
    }

    /// Seals a protocol message for another node through the relay: signed with this identity
    /// (the header's sender must be this identity's key), encrypted to the header's recipient.
    public func seal(_ plaintext: [UInt8], header: SignedEnvelope.Header) throws(CustosCrypto.CryptoError) -> [UInt8] {
        try SignedEnvelope.seal(plaintext, header: header, signer: signingKey)
    }

    func sign(_ message: [UInt8]) -> [UInt8] {
        do { return Array(try signingKey.signature(for: message)) } catch {
            preconditionFailure("Ed25519 signing does not fail on a valid key: \(error)")
        }
    }
}
