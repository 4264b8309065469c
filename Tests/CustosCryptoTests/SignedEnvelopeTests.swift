import Crypto
import CustosCore
import CustosCrypto
import Foundation
import Testing

/// Sign-then-encrypt envelopes between nodes: only the addressee opens them, only cluster
/// members' signatures are accepted, nothing in transit can be altered, and the recipient's
/// evidence convinces a third party.
@Suite struct SignedEnvelopeTests {
    struct Node {
        let identity = Curve25519.Signing.PrivateKey()
        let encryption = Curve25519.KeyAgreement.PrivateKey()
        var identityKey: [UInt8] { Array(identity.publicKey.rawRepresentation) }
        var encryptionKey: [UInt8] { Array(encryption.publicKey.rawRepresentation) }
    }

    @Test func roundTripAndThirdPartyEvidence() throws {
        let (alice, bob) = (Node(), Node())
        let header = try SignedEnvelope.Header(sessionID: SecureRandom.bytes(count: 32), round: 2,
                                               sender: alice.identityKey, recipient: bob.encryptionKey)
        let message = Array("round-2 share".utf8)
        let sealed = try SignedEnvelope.seal(message, header: header, signer: alice.identity)
        #expect(!sealed.hexString.contains(message.hexString))
        let evidence = try SignedEnvelope.open(sealed, recipient: bob.encryption, isKnownSender: { $0 == alice.identityKey })
        #expect(evidence.plaintext == message && evidence.header == header && evidence.isAuthentic)
        // Evidence with another plaintext or header no longer convinces anyone.
        #expect(!SignedEnvelope.Evidence(header: header, plaintext: message + [0], signature: evidence.signature).isAuthentic)
        let otherRound = try SignedEnvelope.Header(sessionID: header.sessionID, round: 3, sender: header.sender,
                                                   recipient: header.recipient)
        #expect(!SignedEnvelope.Evidence(header: otherRound, plaintext: message, signature: evidence.signature).isAuthentic)
    }

    /// Each refusal names its code, so a check that stops refusing for its own reason (and is
    /// caught only by a later one, or not at all) shows.
    @Test func refusesOtherRecipientsStrangersForgeriesAndTampering() throws {
        let (alice, bob, mallory) = (Node(), Node(), Node())
        let header = try SignedEnvelope.Header(sessionID: SecureRandom.bytes(count: 32), round: 1,
                                               sender: alice.identityKey, recipient: bob.encryptionKey)
        let sealed = try SignedEnvelope.seal([1, 2, 3], header: header, signer: alice.identity)
        #expect(throws: CustosCrypto.CryptoError(.wrongRecipient, "")) {
            _ = try SignedEnvelope.open(sealed, recipient: mallory.encryption, isKnownSender: { _ in true })
        }
        #expect(throws: CustosCrypto.CryptoError(.unknownSender, "")) {
            _ = try SignedEnvelope.open(sealed, recipient: bob.encryption, isKnownSender: { _ in false })
        }
        // Mallory cannot sign as Alice.
        #expect(throws: CustosCrypto.CryptoError(.wrongSigner, "")) { _ = try SignedEnvelope.seal([1], header: header, signer: mallory.identity) }
        // Any altered byte is refused: in the recipient field as addressed elsewhere, anywhere
        // else (session, round, sender, encapsulated key, ciphertext, tag) as not decrypting.
        let expected: [(index: Int, code: CryptoErrorCode)] = [
            (0, .undecryptable), (33, .undecryptable), (40, .undecryptable), (70, .wrongRecipient),
            (100, .undecryptable), (130, .undecryptable), (sealed.count - 1, .undecryptable),
        ]
        for (index, code) in expected {
            var altered = sealed
            altered[index] ^= 0x01
            #expect(throws: CustosCrypto.CryptoError(code, ""), "byte \(index)") {
                _ = try SignedEnvelope.open(altered, recipient: bob.encryption, isKnownSender: { $0 == alice.identityKey || $0.count == 32 })
            }
        }
        // Cut below header, encapsulated key, tag and signature: too short to hold one; cut by
        // one byte: the tag no longer verifies.
        for length in [0, 50, 98, 150, 98 + 32 + 16 + 64 - 1] {
            #expect(throws: CustosCrypto.CryptoError(.invalidLength, ""), "\(length) bytes") {
                _ = try SignedEnvelope.open(Array(sealed.prefix(length)), recipient: bob.encryption, isKnownSender: { _ in true })
            }
        }
        #expect(throws: CustosCrypto.CryptoError(.undecryptable, "")) {
            _ = try SignedEnvelope.open(Array(sealed.dropLast()), recipient: bob.encryption, isKnownSender: { _ in true })
        }
    }

    /// An envelope that decrypts but whose signature is Mallory's under Alice's name: built
    /// here byte by byte (header, HPKE to Bob, signature then plaintext), since `seal` refuses to.
    @Test func refusesAForgedSignatureInsideAValidEncryption() throws {
        let (alice, bob, mallory) = (Node(), Node(), Node())
        let header = try SignedEnvelope.Header(sessionID: SecureRandom.bytes(count: 32), round: 7,
                                               sender: alice.identityKey, recipient: bob.encryptionKey)
        let headerBytes = header.sessionID + [0, 7] + header.sender + header.recipient
        let domain = Array("custos/envelope/v1".utf8)
        let plaintext: [UInt8] = [9, 9, 9]
        func envelope(signedBy key: Curve25519.Signing.PrivateKey) throws -> [UInt8] {
            let signature = try key.signature(for: domain + headerBytes + plaintext)
            var sender = try HPKE.Sender(recipientKey: bob.encryption.publicKey, ciphersuite: .Curve25519_SHA256_ChachaPoly,
                                         info: Data(domain))
            let ciphertext = try sender.seal(Data(Array(signature) + plaintext), authenticating: Data(headerBytes))
            return headerBytes + Array(sender.encapsulatedKey) + Array(ciphertext)
        }
        // Alice's own signature, built the same way, opens: the construction is the envelope's.
        let genuine = try SignedEnvelope.open(try envelope(signedBy: alice.identity), recipient: bob.encryption,
                                              isKnownSender: { $0 == alice.identityKey })
        #expect(genuine.plaintext == plaintext && genuine.header == header)
        #expect(throws: CustosCrypto.CryptoError(.invalidSignature, "")) {
            _ = try SignedEnvelope.open(try envelope(signedBy: mallory.identity), recipient: bob.encryption,
                                        isKnownSender: { $0 == alice.identityKey })
        }
    }
}
