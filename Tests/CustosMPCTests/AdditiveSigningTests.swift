import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

@testable import CustosMPC

/// FROST with an additive participant (#15 item 3): a t-of-n threshold key Y_on plus one key
/// Y_off held alone; signatures under Y = Y_on + Y_off verify with the suites' own verifiers and
/// with independent implementations (PyNaCl, coincurve); neither part signs alone; a wrong
/// additive share is named.
@Suite struct AdditiveSigningTests {
    static let sizes: [(t: Int, n: Int)] = [(2, 3), (3, 4)]

    struct Keys<Suite: Ciphersuite> {
        let keys: [Identifier<Suite>: KeyPackage<Suite>]
        let pub: PublicKeyPackage<Suite>
        let additive: FROST<Suite>.AdditiveKey
        var combined: Suite.Element { pub.verifyingKey + additive.publicKey }
        func signers(_ t: Int) -> [KeyPackage<Suite>] { Array(keys.values.shuffled().prefix(t)) }
    }

    static func keys<Suite: Ciphersuite>(_: Suite.Type, _ size: Int) throws -> Keys<Suite> {
        let (t, n) = sizes[size]
        let (keys, pub) = try LocalCeremony<Suite>.keyGeneration(
            identifiers: (1...n).map { try Identifier<Suite>(UInt64($0)) }, minSigners: t)
        return Keys(keys: keys, pub: pub, additive: .generate())
    }

    struct Ed25519Item: Encodable { let key, message, signature: String }
    struct BIP340Item: Encodable { let xonly, message, signature: String }
    struct Verify: Encodable { let ed25519: [Ed25519Item]; let bip340: [BIP340Item] }
    struct Verdicts: Decodable { let ed25519: [Bool]; let bip340: [Bool] }

    @Test(arguments: [0, 1])
    func ed25519WithTheAdditiveShareVerifiesWithLibsodiumAndPyNaCl(_ size: Int) async throws {
        let k = try Self.keys(Ed25519SHA512.self, size)
        let key = try k.combined.rawRepresentationExcludingIdentity()
        var items: [Ed25519Item] = []
        for round in 0..<3 {
            let message = SecureRandom.bytes(count: 1 + round * 40)
            let signature = try LocalCeremony.sign(message: message, signers: k.signers(Self.sizes[size].t), publicKeyPackage: k.pub,
                                                   additive: k.additive)
            let bytes = try signature.serializedBytes
            #expect(Ed25519.isValidSignature(bytes, for: message, publicKey: key), "round \(round)")
            #expect(FROST<Ed25519SHA512>.verify(signature: signature, message: message, verifyingKey: k.combined))
            #expect(!FROST<Ed25519SHA512>.verify(signature: signature, message: message, verifyingKey: k.pub.verifyingKey))
            items.append(Ed25519Item(key: key.hexString, message: message.hexString, signature: bytes.hexString))
        }
        var forged = items[0]
        forged = Ed25519Item(key: forged.key, message: forged.message + "00", signature: forged.signature)
        let verdicts = try await PythonPeer.call("signature_verify_peer.py", Verify(ed25519: items + [forged], bip340: []), as: Verdicts.self)
        #expect(verdicts.ed25519 == [true, true, true, false])
    }

    @Test(arguments: [0, 1])
    func taprootWithTheAdditiveShareVerifiesWithLibsecp256k1AndCoincurve(_ size: Int) async throws {
        typealias TR = Secp256k1TaprootSHA256
        var items: [BIP340Item] = []
        // Several keys, so that both even and odd combined keys (and output keys) occur.
        for _ in 0..<3 {
            let k = try Self.keys(TR.self, size)
            for tweak: TaprootTweak? in [nil, .keyPathOnly, .scriptTree(merkleRoot: SecureRandom.bytes(count: 32))] {
                let message = SecureRandom.bytes(count: 32)
                let signature = try LocalCeremony.sign(message: message, signers: k.signers(Self.sizes[size].t), publicKeyPackage: k.pub,
                                                       tweak: tweak, additive: k.additive)
                let outputKey = try TR.outputKey(internalKey: k.combined, tweak: tweak).xOnlyRepresentation()
                let bytes = try signature.serializedBytes
                #expect(Secp256k1.Schnorr.isValidSignature(bytes, for: message, xOnlyPublicKey: outputKey), "tweak \(String(describing: tweak))")
                #expect(FROST<TR>.verify(signature: signature, message: message, verifyingKey: k.combined, tweak: tweak))
                #expect(!FROST<TR>.verify(signature: signature, message: message, verifyingKey: k.pub.verifyingKey, tweak: tweak))
                items.append(BIP340Item(xonly: outputKey.hexString, message: message.hexString, signature: bytes.hexString))
            }
        }
        let verdicts = try await PythonPeer.call("signature_verify_peer.py", Verify(ed25519: [], bip340: items), as: Verdicts.self)
        #expect(verdicts.bip340 == Array(repeating: true, count: items.count))
    }

    /// Every branch of the Taproot adjustment with an additive participant, covered on purpose:
    /// combined key with even or odd y, the output key negated or not (the adjustment's
    /// `negate`), and the group commitment R with even or odd y. Only the additive key and the
    /// nonces vary, so the loop is cheap; it stops when all eight have signed and verified.
    @Test func everyTaprootNegationIsCovered() throws {
        typealias TR = Secp256k1TaprootSHA256
        let (keys, pub) = try LocalCeremony<TR>.keyGeneration(identifiers: (1...3).map { try Identifier<TR>(UInt64($0)) }, minSigners: 2)
        let signers = Array(keys.values.prefix(2))
        var seen: Set<[Bool]> = []
        for _ in 0..<400 where seen.count < 8 {
            let additive = FROST<TR>.AdditiveKey.generate()
            let combined = pub.verifyingKey + additive.publicKey
            let message = SecureRandom.bytes(count: 32)
            let (package, shares) = try LocalCeremony.signingShares(message: message, signers: signers, publicKeyPackage: pub,
                                                                    tweak: .keyPathOnly, additive: additive)
            let session = try FROST<TR>.Session(package: package, verifyingKey: pub.verifyingKey)
            let signature = try FROST<TR>.aggregate(package: package, shares: shares, publicKeyPackage: pub)
            let outputKey = try TR.outputKey(internalKey: combined, tweak: .keyPathOnly).xOnlyRepresentation()
            #expect(Secp256k1.Schnorr.isValidSignature(try signature.serializedBytes, for: message, xOnlyPublicKey: outputKey))
            seen.insert([combined.hasEvenY, session.keyAdjustment.negate, session.negatesNonces])
        }
        #expect(seen.count == 8, "covered \(seen)")
    }

    /// The threshold signers alone — every one of them, with or without the additive
    /// participant's commitments — and the additive participant alone give no signature under Y.
    func neitherPartSignsAlone<Suite: Ciphersuite>(_: Suite.Type, tweak: TaprootTweak?) throws {
        let k = try Self.keys(Suite.self, 1)
        let message = Array("withdraw 10 BTC".utf8)
        let all = Array(k.keys.values)
        // Every threshold signer, no additive participant: a signature under Y_on only.
        let online = try LocalCeremony.sign(message: message, signers: all, publicKeyPackage: k.pub, tweak: tweak)
        #expect(FROST<Suite>.verify(signature: online, message: message, verifyingKey: k.pub.verifyingKey, tweak: tweak))
        #expect(!FROST<Suite>.verify(signature: online, message: message, verifyingKey: k.combined, tweak: tweak))
        // A package with the additive participant: the threshold shares summed without its share,
        // or its share alone, do not verify; aggregation refuses the missing share, naming it.
        let (package, shares) = try LocalCeremony.signingShares(message: message, signers: all, publicKeyPackage: k.pub,
                                                                tweak: tweak, additive: k.additive)
        let full = try FROST<Suite>.aggregate(package: package, shares: shares, publicKeyPackage: k.pub)
        #expect(FROST<Suite>.verify(signature: full, message: message, verifyingKey: k.combined, tweak: tweak))
        let additiveID = FROST<Suite>.additiveIdentifier
        var thresholdSum = Suite.Scalar.zero
        for (id, share) in shares where id != additiveID { thresholdSum = thresholdSum + share.share }
        for z in [thresholdSum, shares[additiveID]!.share] {
            let partial = FROST<Suite>.Signature(commitment: full.commitment, z: z)
            for key in [k.combined, k.pub.verifyingKey, k.additive.publicKey] {
                #expect(!FROST<Suite>.verify(signature: partial, message: message, verifyingKey: key, tweak: tweak))
            }
        }
        var withoutAdditive = shares
        withoutAdditive[additiveID] = nil
        Self.expectCulprits(.missingParticipant, [additiveID.description]) {
            _ = try FROST<Suite>.aggregate(package: package, shares: withoutAdditive, publicKeyPackage: k.pub)
        }
    }

    @Test func neitherPartSignsAloneEd25519() throws { try neitherPartSignsAlone(Ed25519SHA512.self, tweak: nil) }
    @Test func neitherPartSignsAloneTaproot() throws {
        try neitherPartSignsAlone(Secp256k1TaprootSHA256.self, tweak: nil)
        try neitherPartSignsAlone(Secp256k1TaprootSHA256.self, tweak: .keyPathOnly)
    }

    /// A wrong additive share, alone or with a wrong threshold share, is named by aggregation;
    /// share verification accepts the honest shares of both kinds.
    func wrongSharesAreNamed<Suite: Ciphersuite>(_: Suite.Type, tweak: TaprootTweak?) throws {
        let k = try Self.keys(Suite.self, 0)
        let message = Array("pay 1 BTC".utf8)
        let (package, shares) = try LocalCeremony.signingShares(message: message, signers: k.signers(2), publicKeyPackage: k.pub,
                                                                tweak: tweak, additive: k.additive)
        for (id, share) in shares {
            #expect(try FROST<Suite>.verifySignatureShare(share, of: id, package: package, publicKeyPackage: k.pub), "\(id)")
        }
        let additiveID = FROST<Suite>.additiveIdentifier
        var bad = shares
        bad[additiveID] = .init(share: shares[additiveID]!.share + .one, packageDigest: shares[additiveID]!.packageDigest)
        #expect(try !FROST<Suite>.verifySignatureShare(bad[additiveID]!, of: additiveID, package: package, publicKeyPackage: k.pub))
        Self.expectCulprits(.invalidSignatureShare, [additiveID.description]) {
            _ = try FROST<Suite>.aggregate(package: package, shares: bad, publicKeyPackage: k.pub)
        }
        let online = package.signers[0]
        bad[online] = .init(share: shares[online]!.share + .one, packageDigest: shares[online]!.packageDigest)
        Self.expectCulprits(.invalidSignatureShare, [online.description, additiveID.description]) {
            _ = try FROST<Suite>.aggregate(package: package, shares: bad, publicKeyPackage: k.pub)
        }
        // An additive share computed with the nonces negated but the key not (or the tweak added
        // twice) is as wrong as any other.
        let doubled = FROST<Suite>.SignatureShare(share: shares[additiveID]!.share + shares[additiveID]!.share,
                                                  packageDigest: shares[additiveID]!.packageDigest)
        #expect(try !FROST<Suite>.verifySignatureShare(doubled, of: additiveID, package: package, publicKeyPackage: k.pub))
    }

    @Test func wrongSharesAreNamedEd25519() throws { try wrongSharesAreNamed(Ed25519SHA512.self, tweak: nil) }
    @Test func wrongSharesAreNamedTaproot() throws { try wrongSharesAreNamed(Secp256k1TaprootSHA256.self, tweak: .keyPathOnly) }

    /// Signers refuse packages that drop, swap or invent the additive participant; the additive
    /// participant refuses a package with another key, other commitments or another message.
    @Test func signersRefusePackagesThatAlterTheAdditiveParticipant() throws {
        typealias S = Ed25519SHA512
        let k = try Self.keys(S.self, 0)
        let signer = k.keys[try Identifier(1)]!
        let other = k.keys[try Identifier(2)]!
        let message: [UInt8] = [1, 2, 3]
        let stranger = FROST<S>.AdditiveKey.generate()
        func package(additive: FROST<S>.AdditiveCommitment?, mine: FROST<S>.SigningCommitments) -> FROST<S>.SigningPackage {
            .init(commitments: [signer.identifier: mine, other.identifier: FROST<S>.commit(keyPackage: other).commitments],
                  message: message, additive: additive)
        }
        let offNonces = FROST<S>.commit(additiveKey: k.additive, context: message)
        let honestPart = try FROST<S>.AdditiveCommitment(commitments: offNonces.commitments, publicKey: k.additive.publicKey)
        let strangerPart = try FROST<S>.AdditiveCommitment(commitments: offNonces.commitments, publicKey: stranger.publicKey)
        for (part, expected) in [(nil, k.additive.publicKey), (strangerPart, k.additive.publicKey), (honestPart, nil)]
            as [(FROST<S>.AdditiveCommitment?, S.Element?)] {
            let nonces = FROST<S>.commit(keyPackage: signer)
            let p = package(additive: part, mine: nonces.commitments)
            do {
                _ = try FROST<S>.sign(package: p, nonces: nonces, keyPackage: signer, publicKeyPackage: k.pub,
                                      expectedMessage: message, expectedAdditiveKey: expected)
                Issue.record("a threshold signer signed a package with another additive participant")
            } catch {
                #expect(error.code == .commitmentMismatch)
            }
        }
        let mine = FROST<S>.commit(keyPackage: signer).commitments
        let otherNonces = FROST<S>.commit(additiveKey: k.additive, context: message)
        let cases: [(FROST<S>.SigningPackage, [UInt8])] = [
            (package(additive: strangerPart, mine: mine), message),
            (package(additive: try .init(commitments: otherNonces.commitments, publicKey: k.additive.publicKey), mine: mine), message),
            (package(additive: nil, mine: mine), message),
            (package(additive: honestPart, mine: mine), message + [4]),
        ]
        for (p, expectedMessage) in cases {
            let nonces = FROST<S>.commit(additiveKey: k.additive, context: message)
            let forThis = FROST<S>.SigningPackage(
                commitments: p.commitments, message: p.message,
                additive: p.additive.map { try! .init(commitments: $0.commitments == offNonces.commitments ? nonces.commitments : $0.commitments,
                                                      publicKey: $0.publicKey) })
            do {
                _ = try FROST<S>.signAdditive(package: forThis, nonces: nonces, key: k.additive, onlineVerifyingKey: k.pub.verifyingKey,
                                              expectedMessage: expectedMessage)
                Issue.record("the additive participant signed an altered package")
            } catch {
                #expect(error.code == .commitmentMismatch)
            }
        }
        // No threshold signer at all.
        let alone = FROST<S>.commit(additiveKey: k.additive, context: message)
        let empty = FROST<S>.SigningPackage(commitments: [:], message: message,
                                            additive: try .init(commitments: alone.commitments, publicKey: k.additive.publicKey))
        do {
            _ = try FROST<S>.signAdditive(package: empty, nonces: alone, key: k.additive, onlineVerifyingKey: k.pub.verifyingKey,
                                          expectedMessage: message)
            Issue.record("the additive participant signed alone")
        } catch {
            #expect(error.code == .invalidParameters)
        }
    }

    /// A package without an additive participant encodes as it always did; one with it round
    /// trips, and the additive part is bound into the digest every share carries.
    @Test func packagesWithTheAdditiveParticipantRoundTrip() throws {
        typealias S = Secp256k1TaprootSHA256
        let k = try Self.keys(S.self, 0)
        let (package, _) = try LocalCeremony.signingShares(message: [9], signers: k.signers(2), publicKeyPackage: k.pub,
                                                           tweak: .keyPathOnly, additive: k.additive)
        let plain = FROST<S>.SigningPackage(commitments: package.commitments, message: package.message, tweak: package.tweak)
        let bytes = try package.serializedBytes
        #expect(try FROST<S>.SigningPackage(serializedBytes: bytes) == package)
        #expect(try Array(bytes.prefix(try plain.serializedBytes.count)) == plain.serializedBytes)
        #expect(try package.digest != plain.digest)
        #expect(package.participants == package.signers + [FROST<S>.additiveIdentifier])
        #expect(throws: MPCError.self) { try FROST<S>.SigningPackage(serializedBytes: try plain.serializedBytes + [1]) }
        #expect(throws: MPCError.self) { try FROST<S>.SigningPackage(serializedBytes: bytes + [0]) }
        var marker = bytes
        marker[try plain.serializedBytes.count] = 2
        #expect(throws: MPCError.self) { try FROST<S>.SigningPackage(serializedBytes: marker) }
        let sealed = k.additive.sealedRepresentation()
        #expect(try FROST<S>.AdditiveKey(sealedRepresentation: sealed).publicKey == k.additive.publicKey)
        #expect(!"\(k.additive)".contains(k.additive.secret.rawRepresentation.hexString))
    }

    static func expectCulprits(_ code: MPCErrorCode, _ culprits: [String], _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected \(code)")
        } catch let error as MPCError {
            #expect(error.code == code)
            #expect(Set(error.culprits) == Set(culprits), "\(error.reason)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
