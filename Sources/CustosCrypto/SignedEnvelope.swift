import Crypto
import CustosCore
import Foundation

/// A protocol message from one node to another through the untrusted relay: signed by the
/// sender's Ed25519 identity, then encrypted to the recipient with HPKE (RFC 9180, X25519,
/// HKDF-SHA256, ChaCha20-Poly1305). Sign-then-encrypt, so the recipient keeps *evidence*: the
/// header, plaintext and signature that any third party can check against the sender's public
/// identity — what blame steps need to show what a node really sent. The header (session,
/// round, sender, recipient) is authenticated both by the signature and as HPKE associated
/// data, so a relay cannot redirect, replay into another round, or swap senders.
public enum SignedEnvelope {
    /// Who sent what to whom, in which session and round.
    public struct Header: Sendable, Equatable {
        public let sessionID: [UInt8]
        public let round: UInt16
        /// The sender's Ed25519 identity public key (32 bytes).
        public let sender: [UInt8]
        /// The recipient's X25519 encryption public key (32 bytes).
        public let recipient: [UInt8]

        public init(sessionID: [UInt8], round: UInt16, sender: [UInt8], recipient: [UInt8]) throws(CryptoError) {
            guard sessionID.count == 32, sender.count == 32, recipient.count == 32 else {
                throw CryptoError(.invalidLength, "an envelope header has a 32-byte session id, sender and recipient")
            }
            self.sessionID = sessionID
            self.round = round
            self.sender = sender
            self.recipient = recipient
        }

        static let byteCount = 32 + 2 + 32 + 32

        var bytes: [UInt8] { sessionID + [UInt8(round >> 8), UInt8(round & 0xff)] + sender + recipient }

        init(bytes: ArraySlice<UInt8>) throws(CryptoError) {
            let b = Array(bytes)
            try self.init(sessionID: Array(b[0..<32]), round: UInt16(b[32]) << 8 | UInt16(b[33]),
                          sender: Array(b[34..<66]), recipient: Array(b[66..<98]))
        }
    }

    /// What the recipient can show a third party about a message it received. Its plaintext may
    /// be a secret (a key ceremony's share): it never prints.
    public struct Evidence: Sendable, Equatable, CustomStringConvertible {
        public let header: Header
        public let plaintext: [UInt8]
        public let signature: [UInt8]

        public init(header: Header, plaintext: [UInt8], signature: [UInt8]) {
            self.header = header
            self.plaintext = plaintext
            self.signature = signature
        }

        public var description: String {
            "SignedEnvelope.Evidence(round \(header.round), sender \(header.sender.hexString.prefix(16)), \(plaintext.count) bytes, redacted)"
        }

        /// Whether the header's sender really signed this header and plaintext.
        public var isAuthentic: Bool {
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: header.sender) else { return false }
            return key.isValidSignature(signature, for: SignedEnvelope.statement(header, plaintext))
        }
    }

    static let domain = Array("custos/envelope/v1".utf8)
    static let maximumPlaintext = 1 << 20

    static func statement(_ header: Header, _ plaintext: [UInt8]) -> [UInt8] { domain + header.bytes + plaintext }

    /// Signs `plaintext` as `signer` and encrypts it to the header's recipient. Throws
    /// `wrongSigner` when `signer` is not the header's sender.
    public static func seal(
        _ plaintext: [UInt8], header: Header, signer: Curve25519.Signing.PrivateKey
    ) throws(CryptoError) -> [UInt8] {
        guard Array(signer.publicKey.rawRepresentation) == header.sender else {
            throw CryptoError(.wrongSigner, "the signing key is not the header's sender")
        }
        guard plaintext.count <= maximumPlaintext else {
            throw CryptoError(.invalidLength, "an envelope carries at most \(maximumPlaintext) bytes")
        }
        do {
            let signature = try signer.signature(for: statement(header, plaintext))
            let recipient = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: header.recipient)
            var sender = try HPKE.Sender(recipientKey: recipient, ciphersuite: .Curve25519_SHA256_ChachaPoly, info: Data(domain))
            let ciphertext = try sender.seal(Data(Array(signature) + plaintext), authenticating: Data(header.bytes))
            return header.bytes + Array(sender.encapsulatedKey) + Array(ciphertext)
        } catch {
            throw CryptoError(.libraryFailure, "sealing the envelope failed")
        }
    }

    /// Decrypts an envelope addressed to `recipient` and checks the sender's signature.
    /// `isKnownSender` decides whether the header's sender identity belongs to the cluster.
    /// Each refusal has its own code: `invalidLength` (truncated below a header, key, tag and
    /// signature), `wrongRecipient`, `unknownSender`, `undecryptable` (any altered byte the
    /// header check does not catch first, a cut tag, another key), `invalidSignature`.
    public static func open(
        _ bytes: [UInt8], recipient: Curve25519.KeyAgreement.PrivateKey, isKnownSender: ([UInt8]) -> Bool
    ) throws(CryptoError) -> Evidence {
        let header = try Self.header(of: bytes)
        guard header.recipient == Array(recipient.publicKey.rawRepresentation) else {
            throw CryptoError(.wrongRecipient, "the envelope is addressed to another node")
        }
        guard isKnownSender(header.sender) else {
            throw CryptoError(.unknownSender, "the envelope's sender is not a member of this cluster")
        }
        let encapsulated = Data(bytes[Header.byteCount..<(Header.byteCount + 32)])
        let ciphertext = Data(bytes[(Header.byteCount + 32)...])
        let opened: [UInt8]
        do {
            var receiver = try HPKE.Recipient(privateKey: recipient, ciphersuite: .Curve25519_SHA256_ChachaPoly, info: Data(domain),
                                              encapsulatedKey: encapsulated)
            opened = Array(try receiver.open(ciphertext, authenticating: Data(header.bytes)))
        } catch {
            throw CryptoError(.undecryptable, "the envelope does not decrypt: altered, or not for this key")
        }
        guard opened.count >= 64 else { throw CryptoError(.invalidLength, "the envelope holds no signature") }
        let evidence = Evidence(header: header, plaintext: Array(opened[64...]), signature: Array(opened[0..<64]))
        guard evidence.isAuthentic else {
            throw CryptoError(.invalidSignature, "the sender's signature does not verify")
        }
        return evidence
    }
}
