import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

@testable import CustosMPC

/// Random keys from the DKG, signed by random signer subsets, verified by libsodium and
/// libsecp256k1; refresh and reshare keep the key; BIP-341 tweaks match the BIP's vectors.
@Suite struct ThresholdSigningTests {
    static let sizes: [(t: Int, n: Int)] = [(2, 3), (3, 4), (5, 7)]

    static func identifiers<Suite: Ciphersuite>(_ n: Int, _: Suite.Type) throws -> [Identifier<Suite>] {
        try (1...n).map { try Identifier<Suite>(UInt64($0)) }
    }

    /// A random t-subset of the participants.
    static func subset<Suite: Ciphersuite>(
        _ keys: [Identifier<Suite>: KeyPackage<Suite>], _ t: Int
    ) -> [KeyPackage<Suite>] {
        Array(keys.values.shuffled().prefix(t))
    }

    @Test(arguments: [0, 1, 2])
    func ed25519VerifiesWithLibsodium(_ size: Int) throws {
        let (t, n) = Self.sizes[size]
        let (keys, pub) = try LocalCeremony<Ed25519SHA512>.keyGeneration(
            identifiers: Self.identifiers(n, Ed25519SHA512.self), minSigners: t)
        let groupKey = try pub.verifyingKey.rawRepresentationExcludingIdentity()
        for round in 0..<3 {
            let message = SecureRandom.bytes(count: 1 + round * 40)
            let signature = try LocalCeremony.sign(message: message, signers: Self.subset(keys, t), publicKeyPackage: pub)
            #expect(Ed25519.isValidSignature(try signature.serializedBytes, for: message, publicKey: groupKey),
                    "\(t)-of-\(n), round \(round)")
            #expect(!Ed25519.isValidSignature(try signature.serializedBytes, for: message + [0], publicKey: groupKey))
        }
    }

    @Test(arguments: [0, 1, 2])
    func taprootVerifiesWithLibsecp256k1(_ size: Int) throws {
        let (t, n) = Self.sizes[size]
        typealias TR = Secp256k1TaprootSHA256
        let (keys, pub) = try LocalCeremony<TR>.keyGeneration(identifiers: Self.identifiers(n, TR.self), minSigners: t)
        let root = SecureRandom.bytes(count: 32)
        for tweak: TaprootTweak? in [nil, .keyPathOnly, .scriptTree(merkleRoot: root)] {
            let message = SecureRandom.bytes(count: 32)
            let signature = try LocalCeremony.sign(message: message, signers: Self.subset(keys, t), publicKeyPackage: pub,
                                                   tweak: tweak)
            let outputKey = try TR.outputKey(internalKey: pub.verifyingKey, tweak: tweak).xOnlyRepresentation()
            let bytes = try signature.serializedBytes
            #expect(Secp256k1.Schnorr.isValidSignature(bytes, for: message, xOnlyPublicKey: outputKey),
                    "\(t)-of-\(n), tweak \(String(describing: tweak))")
            #expect(Secp256k1.Schnorr.verifyBySpecification(bytes, for: message, xOnlyPublicKey: outputKey))
            #expect(FROST<TR>.verify(signature: signature, message: message, verifyingKey: pub.verifyingKey, tweak: tweak))
        }
    }

    @Test(arguments: [0, 1, 2])
    func secp256k1Verifies(_ size: Int) throws {
        let (t, n) = Self.sizes[size]
        let (keys, pub) = try LocalCeremony<Secp256k1SHA256>.keyGeneration(
            identifiers: Self.identifiers(n, Secp256k1SHA256.self), minSigners: t)
        let message = SecureRandom.bytes(count: 32)
        let signature = try LocalCeremony.sign(message: message, signers: Self.subset(keys, t), publicKeyPackage: pub)
        #expect(FROST<Secp256k1SHA256>.verify(signature: signature, message: message, verifyingKey: pub.verifyingKey))
        #expect(!FROST<Secp256k1SHA256>.verify(signature: signature, message: [1] + message, verifyingKey: pub.verifyingKey))
    }

    /// BIP-341's scriptPubKey vectors: the tweak and the output key.
    @Test func bip341TweakVectors() throws {
        struct File: Decodable {
            struct Vector: Decodable {
                struct Given: Decodable { let internalPubkey: String }
                struct Intermediary: Decodable { let merkleRoot: String?; let tweak: String; let tweakedPubkey: String }
                let given: Given
                let intermediary: Intermediary
            }
            let scriptPubKey: [Vector]
        }
        let file = try JSONDecoder().decode(File.self, from: TestEnvironment.vectorData("bip341/wallet-test-vectors.json"))
        #expect(file.scriptPubKey.count == 7)
        for v in file.scriptPubKey {
            let internalKey = try Secp256k1.Point(xOnly: [UInt8](hex: v.given.internalPubkey))
            let root = try v.intermediary.merkleRoot.map { try [UInt8](hex: $0) }
            let tweak: TaprootTweak = root.map { .scriptTree(merkleRoot: $0) } ?? .keyPathOnly
            #expect(try Secp256k1TaprootSHA256.tapTweak(internalKey: internalKey, merkleRoot: root ?? [])
                        .rawRepresentation.hexString == v.intermediary.tweak)
            let output = try Secp256k1TaprootSHA256.outputKey(internalKey: internalKey, tweak: tweak)
            #expect(try output.xOnlyRepresentation().hexString == v.intermediary.tweakedPubkey)
        }
    }

    @Test func refreshChangesEverySharePreservesKey() throws {
        typealias S = Secp256k1TaprootSHA256
        let (keys, pub) = try LocalCeremony<S>.keyGeneration(identifiers: Self.identifiers(4, S.self), minSigners: 3)
        // Only three of four participants deal (one is offline); all four receive.
        let dealers = Array(pub.participants.prefix(3))
        let (fresh, freshPub) = try LocalCeremony<S>.reshare(parameters: .refresh(pub, sessionID: SecureRandom.bytes(count: 32), dealers: dealers), dealerKeys: keys)
        #expect(freshPub.verifyingKey == pub.verifyingKey)
        for id in pub.participants {
            #expect(fresh[id]!.signingShare != keys[id]!.signingShare, "share of \(id) changed")
            #expect(freshPub.verifyingShares[id] != pub.verifyingShares[id])
        }
        let message = SecureRandom.bytes(count: 32)
        let signature = try LocalCeremony.sign(message: message, signers: Self.subset(fresh, 3), publicKeyPackage: freshPub,
                                               tweak: .keyPathOnly)
        let outputKey = try S.outputKey(internalKey: pub.verifyingKey, tweak: .keyPathOnly).xOnlyRepresentation()
        #expect(Secp256k1.Schnorr.isValidSignature(try signature.serializedBytes, for: message, xOnlyPublicKey: outputKey))

        // An old share is refused against the refreshed key's public package…
        let ids = pub.participants
        let stale = keys[ids[2]]!
        let staleNonces = FROST<S>.commit(keyPackage: stale)
        let fresh0 = FROST<S>.commit(keyPackage: fresh[ids[0]]!)
        let fresh1 = FROST<S>.commit(keyPackage: fresh[ids[1]]!)
        let package = FROST<S>.SigningPackage(
            commitments: [ids[0]: fresh0.commitments, ids[1]: fresh1.commitments, ids[2]: staleNonces.commitments],
            message: message)
        #expect(throws: MPCError(.groupKeyMismatch, "")) {
            _ = try FROST<S>.sign(package: package, nonces: FROST<S>.commit(keyPackage: stale), keyPackage: stale,
                                  publicKeyPackage: freshPub, expectedMessage: message)
        }
        // …and a node still on the old package produces a share that does not combine with new
        // ones: the aggregator names it.
        var shares: [Identifier<S>: FROST<S>.SignatureShare] = [:]
        shares[ids[2]] = try FROST<S>.sign(package: package, nonces: staleNonces, keyPackage: stale, publicKeyPackage: pub,
                                           expectedMessage: message)
        shares[ids[1]] = try FROST<S>.sign(package: package, nonces: fresh1, keyPackage: fresh[ids[1]]!,
                                           publicKeyPackage: freshPub, expectedMessage: message)
        shares[ids[0]] = try FROST<S>.sign(package: package, nonces: fresh0, keyPackage: fresh[ids[0]]!,
                                           publicKeyPackage: freshPub, expectedMessage: message)
        #expect {
            try FROST<S>.aggregate(package: package, shares: shares, publicKeyPackage: freshPub)
        } throws: { error in
            let e = error as! MPCError
            return e.code == .invalidSignatureShare && e.culprits == [ids[2].description]
        }
    }

    @Test func reshareToNewCommitteeAndThreshold() throws {
        typealias S = Ed25519SHA512
        let (keys, pub) = try LocalCeremony<S>.keyGeneration(identifiers: Self.identifiers(3, S.self), minSigners: 2)
        // Replace participant 2 by 4 and 5, growing from 2-of-3 to 3-of-4.
        let newCommittee = try [1, 3, 4, 5].map { try Identifier<S>(UInt64($0)) }
        let parameters = try Reshare<S>.Parameters(
            sessionID: SecureRandom.bytes(count: 32), oldPublicKeyPackage: pub, dealers: [try Identifier(1), try Identifier(3)],
            newParticipants: newCommittee, newMinSigners: 3)
        let (newKeys, newPub) = try LocalCeremony<S>.reshare(parameters: parameters, dealerKeys: keys)
        #expect(newPub.verifyingKey == pub.verifyingKey)
        #expect(newPub.participants == newCommittee)
        #expect(newPub.minSigners == 3)
        let message = Array("moved to a new committee".utf8)
        let signature = try LocalCeremony.sign(message: message, signers: Self.subset(newKeys, 3), publicKeyPackage: newPub)
        #expect(Ed25519.isValidSignature(try signature.serializedBytes, for: message,
                                         publicKey: try pub.verifyingKey.rawRepresentationExcludingIdentity()))
        // Two new shares no longer reach the threshold.
        #expect(throws: MPCError.self) {
            try LocalCeremony.sign(message: message, signers: Array(Self.subset(newKeys, 2)), publicKeyPackage: newPub)
        }
    }

    @Test func keyPackageSealsAndRestores() throws {
        let (keys, _) = try LocalCeremony<Secp256k1SHA256>.keyGeneration(
            identifiers: Self.identifiers(3, Secp256k1SHA256.self), minSigners: 2)
        let key = keys.values.first!
        let sealed = try key.sealedRepresentation()
        let restored = try KeyPackage<Secp256k1SHA256>(sealedRepresentation: sealed)
        #expect(restored.signingShare == key.signingShare && restored.verifyingShare == key.verifyingShare)
        #expect(!key.description.contains(key.signingShare.rawRepresentation.hexString))
        #expect("\(sealed)".contains("redacted"))
    }
}
