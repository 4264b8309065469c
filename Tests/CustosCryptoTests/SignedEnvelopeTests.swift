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

    @Test func refusesOtherRecipientsStrangersForgeriesAndTampering() throws {
        let (alice, bob, mallory) = (Node(), Node(), Node())
        let header = try SignedEnvelope.Header(sessionID: SecureRandom.bytes(count: 32), round: 1,
                                               sender: alice.identityKey, recipient: bob.encryptionKey)
        let sealed = try SignedEnvelope.seal([1, 2, 3], header: header, signer: alice.identity)
        #expect(throws: (any Error).self) { _ = try SignedEnvelope.open(sealed, recipient: mallory.encryption, isKnownSender: { _ in true }) }
        #expect(throws: (any Error).self) { _ = try SignedEnvelope.open(sealed, recipient: bob.encryption, isKnownSender: { _ in false }) }
        // Mallory cannot sign as Alice.
        #expect(throws: (any Error).self) { _ = try SignedEnvelope.seal([1], header: header, signer: mallory.identity) }
        // Any altered byte (header, encapsulated key, ciphertext) is refused; so is truncation.
        for index in [0, 33, 40, 70, 100, 130, sealed.count - 1] {
            var altered = sealed
            altered[index] ^= 0x01
            #expect(throws: (any Error).self, "byte \(index)") {
                _ = try SignedEnvelope.open(altered, recipient: bob.encryption, isKnownSender: { $0 == alice.identityKey || $0.count == 32 })
            }
        }
        for length in [0, 50, 98, 150, sealed.count - 1] {
            #expect(throws: (any Error).self, "\(length) bytes") {
                _ = try SignedEnvelope.open(Array(sealed.prefix(length)), recipient: bob.encryption, isKnownSender: { _ in true })
            }
        }
    }
}
