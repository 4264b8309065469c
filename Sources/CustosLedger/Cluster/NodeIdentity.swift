import Crypto
import CustosCore
import CustosCrypto

/// A node's own id, Ed25519 identity signing key and X25519 transport key. The private keys
/// never leave this value except through signatures and key agreements; there is no accessor
/// for their bytes here (sealing is the node's job), and they never print.
public struct NodeIdentity: Sendable, CustomStringConvertible {
    public let id: NodeID
    let signingKey: Curve25519.Signing.PrivateKey
    /// The X25519 private key messages to this node are encrypted to (HPKE); package access for
    /// the relay's envelopes.
    package let transportKey: Curve25519.KeyAgreement.PrivateKey

    public init(id: NodeID, signingKey: Curve25519.Signing.PrivateKey, transportKey: Curve25519.KeyAgreement.PrivateKey) {
        self.id = id
        self.signingKey = signingKey
        self.transportKey = transportKey
    }

    /// A fresh identity with new random keys (tests, tools); a node's real keys come sealed.
    public static func generate(id: NodeID) -> NodeIdentity {
        NodeIdentity(id: id, signingKey: Curve25519.Signing.PrivateKey(), transportKey: Curve25519.KeyAgreement.PrivateKey())
    }

    public var description: String { "NodeIdentity(\(id), public key \(publicKeyBytes.hexString.prefix(16)))" }

    public var publicKey: Curve25519.Signing.PublicKey { signingKey.publicKey }

    public var publicKeyBytes: [UInt8] { Array(signingKey.publicKey.rawRepresentation) }

    public var transportPublicKey: Curve25519.KeyAgreement.PublicKey { transportKey.publicKey }

    /// The member entry for a configuration.
    public func member() throws(LedgerError) -> Member {
        try Member(id: id, publicKey: publicKey, transportKey: transportKey.publicKey)
    }

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
