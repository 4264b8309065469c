import CustosCore
import CustosCrypto
import Foundation
import Testing

@testable import CustosMPC

/// Participants who cheat are caught and named; malformed messages are refused with a clear
/// error, never a crash.
@Suite struct AdversarialTests {
    typealias S = Secp256k1SHA256

    static func ids(_ n: Int) throws -> [Identifier<S>] { try (1...n).map { try Identifier<S>(UInt64($0)) } }

    /// Round 1 of a 2-of-3 DKG for participants 1, 2, 3.
    static func round1() throws -> ([Identifier<S>: DKG<S>.Round1.SecretPackage], [Identifier<S>: DKG<S>.Round1.Package]) {
        var secrets: [Identifier<S>: DKG<S>.Round1.SecretPackage] = [:]
        var packages: [Identifier<S>: DKG<S>.Round1.Package] = [:]
        for id in try ids(3) {
            (secrets[id], packages[id]) = try DKG<S>.part1(identifier: id, maxSigners: 3, minSigners: 2)
        }
        return (secrets, packages)
    }

    static func expectCulprit(_ code: MPCError.Code, _ culprit: Identifier<S>, _ body: () throws -> Void) {
        #expect {
            try body()
        } throws: { error in
            guard let e = error as? MPCError else { return false }
            return e.code == code && e.culprits == [culprit.description]
        }
    }

    @Test func dkgShareInconsistentWithCommitmentNamesSender() throws {
        let (secrets, packages) = try Self.round1()
        let (one, two, three) = (try Identifier<S>(1), try Identifier<S>(2), try Identifier<S>(3))
        let (_, out2) = try DKG<S>.part2(secretPackage: secrets[two]!, round1Packages: packages.filter { $0.key != two })
        let (_, out3) = try DKG<S>.part2(secretPackage: secrets[three]!, round1Packages: packages.filter { $0.key != three })
        let (mine, _) = try DKG<S>.part2(secretPackage: secrets[one]!, round1Packages: packages.filter { $0.key != one })
        // Participant 3 sends participant 1 a share off by one.
        let bad = DKG<S>.Round2.Package(unsafeSigningShare: out3[one]!.signingShare + .one)
        Self.expectCulprit(.invalidShare, three) {
            _ = try DKG<S>.part3(secretPackage: mine, round1Packages: packages.filter { $0.key != one },
                                 round2Packages: [two: out2[one]!, three: bad])
        }
    }

    @Test func dkgBadProofOfKnowledgeNamesSender() throws {
        let (secrets, packages) = try Self.round1()
        let (one, two) = (try Identifier<S>(1), try Identifier<S>(2))
        var tampered = packages.filter { $0.key != one }
        let p = tampered[two]!
        tampered[two] = .init(commitment: p.commitment,
                              proofOfKnowledge: .init(commitment: p.proofOfKnowledge.commitment,
                                                      response: p.proofOfKnowledge.response + .one))
        Self.expectCulprit(.invalidProofOfKnowledge, two) {
            _ = try DKG<S>.part2(secretPackage: secrets[one]!, round1Packages: tampered)
        }
        // A proof copied from another participant does not verify for the copier either.
        tampered[two] = .init(commitment: packages[try Identifier(3)]!.commitment,
                              proofOfKnowledge: packages[try Identifier(3)]!.proofOfKnowledge)
        Self.expectCulprit(.invalidProofOfKnowledge, two) {
            _ = try DKG<S>.part2(secretPackage: secrets[one]!, round1Packages: tampered)
        }
    }

    @Test func dkgWrongCommitmentCountNamesSender() throws {
        let (secrets, packages) = try Self.round1()
        let (one, two) = (try Identifier<S>(1), try Identifier<S>(2))
        // Participant 2 runs part1 with threshold 3 instead of 2: a valid proof, too many commitments.
        let (_, wrong) = try DKG<S>.part1(identifier: two, maxSigners: 3, minSigners: 3)
        var tampered = packages.filter { $0.key != one }
        tampered[two] = wrong
        Self.expectCulprit(.invalidCommitmentCount, two) {
            _ = try DKG<S>.part2(secretPackage: secrets[one]!, round1Packages: tampered)
        }
    }

    @Test func dkgMissingOrUnexpectedParticipants() throws {
        let (secrets, packages) = try Self.round1()
        let one = try Identifier<S>(1)
        #expect(throws: MPCError(.missingParticipant, "")) {
            _ = try DKG<S>.part2(secretPackage: secrets[one]!, round1Packages: packages.filter { $0.key == (try! Identifier(2)) })
        }
        #expect(throws: MPCError(.unexpectedParticipant, "")) {
            _ = try DKG<S>.part2(secretPackage: secrets[one]!, round1Packages: packages)
        }
        #expect(throws: MPCError(.invalidParameters, "")) { _ = try DKG<S>.part1(identifier: one, maxSigners: 3, minSigners: 4) }
        #expect(throws: MPCError(.invalidParameters, "")) { _ = try Identifier<S>(0) }
    }

    @Test func dkgSecretPackagesAreUsedOnce() throws {
        let (secrets, packages) = try Self.round1()
        let (one, two, three) = (try Identifier<S>(1), try Identifier<S>(2), try Identifier<S>(3))
        let copy = secrets[one]!
        let (mine, _) = try DKG<S>.part2(secretPackage: secrets[one]!, round1Packages: packages.filter { $0.key != one })
        // A copy of the same secret package cannot produce a second set of evaluations.
        #expect(throws: MPCError(.invalidParameters, "")) {
            _ = try DKG<S>.part2(secretPackage: copy, round1Packages: packages.filter { $0.key != one })
        }
        let (_, out2) = try DKG<S>.part2(secretPackage: secrets[two]!, round1Packages: packages.filter { $0.key != two })
        let (_, out3) = try DKG<S>.part2(secretPackage: secrets[three]!, round1Packages: packages.filter { $0.key != three })
        let received = [two: out2[one]!, three: out3[one]!]
        _ = try DKG<S>.part3(secretPackage: mine, round1Packages: packages.filter { $0.key != one }, round2Packages: received)
        #expect(throws: MPCError(.invalidParameters, "")) {
            _ = try DKG<S>.part3(secretPackage: mine, round1Packages: packages.filter { $0.key != one }, round2Packages: received)
        }
    }

    @Test func dkgPart3RefusesRound1PackagesOtherThanThoseChecked() throws {
        let (secrets, packages) = try Self.round1()
        let (one, two, three) = (try Identifier<S>(1), try Identifier<S>(2), try Identifier<S>(3))
        let (mine, _) = try DKG<S>.part2(secretPackage: secrets[one]!, round1Packages: packages.filter { $0.key != one })
        let (_, out2) = try DKG<S>.part2(secretPackage: secrets[two]!, round1Packages: packages.filter { $0.key != two })
        let (_, out3) = try DKG<S>.part2(secretPackage: secrets[three]!, round1Packages: packages.filter { $0.key != three })
        var swapped = packages.filter { $0.key != one }
        swapped[two] = try DKG<S>.part1(identifier: two, maxSigners: 3, minSigners: 2).1
        #expect(throws: MPCError(.commitmentMismatch, "")) {
            _ = try DKG<S>.part3(secretPackage: mine, round1Packages: swapped, round2Packages: [two: out2[one]!, three: out3[one]!])
        }
    }

    @Test func frostBadSignatureShareNamesSender() throws {
        let (keys, pub) = try LocalCeremony<S>.keyGeneration(identifiers: Self.ids(4), minSigners: 3)
        let signers = try [1, 2, 4].map { keys[try Identifier<S>(UInt64($0))]! }
        let message = Array("pay 1 BTC".utf8)
        var commitments: [Identifier<S>: FROST<S>.SigningCommitments] = [:]
        let n1 = FROST<S>.commit(keyPackage: signers[0]); commitments[signers[0].identifier] = n1.commitments
        let n2 = FROST<S>.commit(keyPackage: signers[1]); commitments[signers[1].identifier] = n2.commitments
        let n4 = FROST<S>.commit(keyPackage: signers[2]); commitments[signers[2].identifier] = n4.commitments
        let package = FROST<S>.SigningPackage(commitments: commitments, message: message)
        var shares: [Identifier<S>: FROST<S>.SignatureShare] = [:]
        shares[signers[0].identifier] = try FROST<S>.sign(package: package, nonces: n1, keyPackage: signers[0], publicKeyPackage: pub, expectedMessage: message)
        shares[signers[1].identifier] = try FROST<S>.sign(package: package, nonces: n2, keyPackage: signers[1], publicKeyPackage: pub, expectedMessage: message)
        let honest = try FROST<S>.sign(package: package, nonces: n4, keyPackage: signers[2], publicKeyPackage: pub, expectedMessage: message)
        shares[signers[2].identifier] = .init(share: honest.share + .one, packageDigest: honest.packageDigest)
        #expect(try !FROST<S>.verifySignatureShare(shares[signers[2].identifier]!, of: signers[2].identifier,
                                                   package: package, publicKeyPackage: pub))
        #expect(try FROST<S>.verifySignatureShare(shares[signers[0].identifier]!, of: signers[0].identifier,
                                                  package: package, publicKeyPackage: pub))
        Self.expectCulprit(.invalidSignatureShare, signers[2].identifier) {
            _ = try FROST<S>.aggregate(package: package, shares: shares, publicKeyPackage: pub)
        }
        // A missing share is named too.
        shares[signers[2].identifier] = nil
        Self.expectCulprit(.missingParticipant, signers[2].identifier) {
            _ = try FROST<S>.aggregate(package: package, shares: shares, publicKeyPackage: pub)
        }
    }

    @Test func signerRefusesPackageWithoutOrAlteringItsCommitment() throws {
        let (keys, pub) = try LocalCeremony<S>.keyGeneration(identifiers: Self.ids(3), minSigners: 2)
        let (a, b) = (keys[try Identifier(1)]!, keys[try Identifier(2)]!)
        let na = FROST<S>.commit(keyPackage: a)
        let nb = FROST<S>.commit(keyPackage: b)
        let other = FROST<S>.commit(keyPackage: a)
        let altered = FROST<S>.SigningPackage(commitments: [a.identifier: other.commitments, b.identifier: nb.commitments],
                                              message: [1])
        do {
            _ = try FROST<S>.sign(package: altered, nonces: na, keyPackage: a, publicKeyPackage: pub, expectedMessage: [1])
            Issue.record("signed the package 'altered'")
        } catch {
            #expect(error.code == .commitmentMismatch)
        }
        let na2 = FROST<S>.commit(keyPackage: a)
        let without = FROST<S>.SigningPackage(commitments: [b.identifier: nb.commitments], message: [1])
        do {
            _ = try FROST<S>.sign(package: without, nonces: na2, keyPackage: a, publicKeyPackage: pub, expectedMessage: [1])
            Issue.record("signed the package 'without'")
        } catch {
            #expect(error.code == .commitmentMismatch)
        }
        let na3 = FROST<S>.commit(keyPackage: a)
        let alone = FROST<S>.SigningPackage(commitments: [a.identifier: na3.commitments], message: [1])
        do {
            _ = try FROST<S>.sign(package: alone, nonces: na3, keyPackage: a, publicKeyPackage: pub, expectedMessage: [1])
            Issue.record("signed the package 'alone'")
        } catch {
            #expect(error.code == .invalidParameters)
        }
    }

    @Test func splitViewByTheCoordinatorBlamesNoHonestSigner() throws {
        let (keys, pub) = try LocalCeremony<S>.keyGeneration(identifiers: Self.ids(3), minSigners: 2)
        let (a, b) = (keys[try Identifier(1)]!, keys[try Identifier(2)]!)
        let na = FROST<S>.commit(keyPackage: a)
        let nb = FROST<S>.commit(keyPackage: b)
        let decoy = FROST<S>.commit(keyPackage: a)
        let message = Array("pay".utf8)
        let real = FROST<S>.SigningPackage(commitments: [a.identifier: na.commitments, b.identifier: nb.commitments], message: message)
        // The coordinator shows signer 2 a package with another commitment for signer 1.
        let shown = FROST<S>.SigningPackage(commitments: [a.identifier: decoy.commitments, b.identifier: nb.commitments],
                                            message: message)
        let shareA = try FROST<S>.sign(package: real, nonces: na, keyPackage: a, publicKeyPackage: pub, expectedMessage: message)
        let shareB = try FROST<S>.sign(package: shown, nonces: nb, keyPackage: b, publicKeyPackage: pub, expectedMessage: message)
        #expect {
            _ = try FROST<S>.aggregate(package: real, shares: [a.identifier: shareA, b.identifier: shareB], publicKeyPackage: pub)
        } throws: { error in
            let e = error as! MPCError
            return e.code == .commitmentMismatch && e.culprits.isEmpty && e.reason.contains("2")
        }
    }

    @Test func signerRefusesOutsidersAndAnotherMessageOrTweak() throws {
        let (keys, pub) = try LocalCeremony<S>.keyGeneration(identifiers: Self.ids(3), minSigners: 2)
        let a = keys[try Identifier(1)]!
        // A coordinator pads the signer set with an identifier that holds no share.
        let outsiderKey = try KeyPackage<S>(identifier: try Identifier(999), unsafeSigningShare: .random(),
                                            verifyingKey: pub.verifyingKey, minSigners: 2)
        let cases: [(String, MPCError.Code, [UInt8], TaprootTweak?)] = [
            ("outsider", .unexpectedParticipant, [7], nil),
            ("other message", .commitmentMismatch, [8], nil),
            ("other tweak", .commitmentMismatch, [7], .keyPathOnly),
        ]
        for (name, code, expected, expectedTweak) in cases {
            let na = FROST<S>.commit(keyPackage: a)
            let other = name == "outsider" ? FROST<S>.commit(keyPackage: outsiderKey) : FROST<S>.commit(keyPackage: keys[try Identifier(2)]!)
            let otherID = name == "outsider" ? outsiderKey.identifier : try Identifier<S>(2)
            let package = FROST<S>.SigningPackage(commitments: [a.identifier: na.commitments, otherID: other.commitments],
                                                  message: [7])
            do {
                _ = try FROST<S>.sign(package: package, nonces: na, keyPackage: a, publicKeyPackage: pub,
                                      expectedMessage: expected, expectedTweak: expectedTweak)
                Issue.record("signed despite \(name)")
            } catch {
                #expect(error.code == code, "\(name)")
            }
        }
    }

    @Test func reshareDealerThatShiftsTheKeyIsNamed() throws {
        let (keys, pub) = try LocalCeremony<S>.keyGeneration(identifiers: Self.ids(3), minSigners: 2)
        let parameters = try Reshare<S>.Parameters.refresh(pub, sessionID: SecureRandom.bytes(count: 32))
        var dealings: [Identifier<S>: Reshare<S>.Dealing] = [:]
        var inbox: [Identifier<S>: [Identifier<S>: Reshare<S>.Share]] = [:]
        for dealer in parameters.dealers {
            let (d, shares) = try Reshare<S>.deal(keyPackage: keys[dealer]!, parameters: parameters)
            dealings[dealer] = d
            for (to, s) in shares { inbox[to, default: [:]][dealer] = s }
        }
        let two = try Identifier<S>(2)
        // Dealer 2 deals a consistent sharing of a different value.
        let rogue = Polynomial<S.Scalar>.random(constant: .random(), degree: 1)
        var rogueDealings = dealings
        rogueDealings[two] = .init(sessionID: parameters.sessionID, commitment: .init(polynomial: rogue))
        var rogueInbox = inbox
        for id in parameters.newParticipants { rogueInbox[id]![two] = .init(unsafeValue: rogue.evaluate(at: id.scalar)) }
        Self.expectCulprit(.invalidShare, two) {
            _ = try Reshare<S>.receive(identifier: try Identifier(1), parameters: parameters, dealings: rogueDealings,
                                       shares: rogueInbox[try Identifier(1)]!)
        }
        // Dealer 2 sends participant 1 a share that does not match its commitment.
        var badInbox = inbox[try Identifier(1)]!
        badInbox[two] = .init(unsafeValue: badInbox[two]!.value + .one)
        Self.expectCulprit(.invalidShare, two) {
            _ = try Reshare<S>.receive(identifier: try Identifier(1), parameters: parameters, dealings: dealings, shares: badInbox)
        }
        // Dealer 2's commitment has the wrong length.
        var shortDealings = dealings
        shortDealings[two] = .init(sessionID: parameters.sessionID,
                                   commitment: .init(coefficients: [dealings[two]!.commitment.coefficients[0]]))
        Self.expectCulprit(.invalidCommitmentCount, two) {
            _ = try Reshare<S>.receive(identifier: try Identifier(1), parameters: parameters, dealings: shortDealings,
                                       shares: inbox[try Identifier(1)]!)
        }
        // Too few dealers for the old threshold.
        #expect(throws: MPCError(.invalidParameters, "")) { _ = try Reshare<S>.Parameters.refresh(pub, sessionID: SecureRandom.bytes(count: 32), dealers: [two]) }
    }

    /// Receivers compare transcripts to agree on a ceremony; ceremonies that differ only in the
    /// new threshold (2 and 258 agree in their low byte), or only in which dealer's dealing is
    /// missing, must not share one.
    @Test func reshareTranscriptsBindTheWholeThreshold() throws {
        let (keys, pub) = try LocalCeremony<S>.keyGeneration(identifiers: Self.ids(3), minSigners: 2)
        let session = SecureRandom.bytes(count: 32)
        let participants = try Self.ids(258)
        let two = try Reshare<S>.Parameters(sessionID: session, oldPublicKeyPackage: pub, dealers: pub.participants,
                                           newParticipants: participants, newMinSigners: 2)
        let many = try Reshare<S>.Parameters(sessionID: session, oldPublicKeyPackage: pub, dealers: pub.participants,
                                            newParticipants: participants, newMinSigners: 258)
        var dealings: [Identifier<S>: Reshare<S>.Dealing] = [:]
        for dealer in pub.participants { dealings[dealer] = try Reshare<S>.deal(keyPackage: keys[dealer]!, parameters: two).0 }
        // Thresholds 2 and 258 agree in their low byte: an encoding that kept one byte of the
        // threshold gave both the same transcript.
        #expect(try Reshare<S>.transcript(parameters: two, dealings: dealings)
                != Reshare<S>.transcript(parameters: many, dealings: dealings))
    }

    @Test func reshareEquivocationAndReplayAreCaught() throws {
        let (keys, pub) = try LocalCeremony<S>.keyGeneration(identifiers: Self.ids(3), minSigners: 2)
        let parameters = try Reshare<S>.Parameters.refresh(pub, sessionID: SecureRandom.bytes(count: 32))
        let (one, two, three) = (try Identifier<S>(1), try Identifier<S>(2), try Identifier<S>(3))
        var dealings: [Identifier<S>: Reshare<S>.Dealing] = [:]
        var inbox: [Identifier<S>: [Identifier<S>: Reshare<S>.Share]] = [:]
        for dealer in [two, three] + [one] {
            let (d, shares) = try Reshare<S>.deal(keyPackage: keys[dealer]!, parameters: parameters)
            dealings[dealer] = d
            for (to, s) in shares { inbox[to, default: [:]][dealer] = s }
        }
        // Dealer 1 deals twice — both valid — and shows receiver 3 the second dealing.
        let (second, secondShares) = try Reshare<S>.deal(keyPackage: keys[one]!, parameters: parameters)
        var view3 = dealings
        view3[one] = second
        var inbox3 = inbox[three]!
        inbox3[one] = secondShares[three]!
        let (_, pub1) = try Reshare<S>.receive(identifier: one, parameters: parameters, dealings: dealings, shares: inbox[one]!)
        let (_, pub3) = try Reshare<S>.receive(identifier: three, parameters: parameters, dealings: view3, shares: inbox3)
        #expect(pub1 != pub3)
        #expect(try Reshare<S>.transcript(parameters: parameters, dealings: dealings)
                != Reshare<S>.transcript(parameters: parameters, dealings: view3))
        #expect(Reshare<S>.equivocators(views: [one: dealings, three: view3]) == [one])
        // A dealing replayed from another run is refused and its dealer named.
        let other = try Reshare<S>.Parameters.refresh(pub, sessionID: SecureRandom.bytes(count: 32))
        let (stale, staleShares) = try Reshare<S>.deal(keyPackage: keys[two]!, parameters: other)
        var replayed = dealings
        replayed[two] = stale
        var replayedInbox = inbox[one]!
        replayedInbox[two] = staleShares[one]!
        Self.expectCulprit(.invalidShare, two) {
            _ = try Reshare<S>.receive(identifier: one, parameters: parameters, dealings: replayed, shares: replayedInbox)
        }
    }

    /// The same cheating cases for every ciphersuite: a wrong DKG share and a wrong signature
    /// share are named, for Ed25519 and Taproot as for plain secp256k1.
    static func cheatersNamed<Suite: Ciphersuite>(_: Suite.Type, tweak: TaprootTweak?) throws {
        let ids = try (1...4).map { try Identifier<Suite>(UInt64($0)) }
        var secrets: [Identifier<Suite>: DKG<Suite>.Round1.SecretPackage] = [:]
        var round1: [Identifier<Suite>: DKG<Suite>.Round1.Package] = [:]
        for id in ids { (secrets[id], round1[id]) = try DKG<Suite>.part1(identifier: id, maxSigners: 4, minSigners: 3) }
        let (_, out4) = try DKG<Suite>.part2(secretPackage: secrets[ids[3]]!, round1Packages: round1.filter { $0.key != ids[3] })
        var received: [Identifier<Suite>: DKG<Suite>.Round2.Package] = [ids[3]: .init(unsafeSigningShare: out4[ids[0]]!.signingShare + .one)]
        for sender in ids[1...2] {
            let (_, out) = try DKG<Suite>.part2(secretPackage: secrets[sender]!, round1Packages: round1.filter { $0.key != sender })
            received[sender] = out[ids[0]]!
        }
        let (mine, _) = try DKG<Suite>.part2(secretPackage: secrets[ids[0]]!, round1Packages: round1.filter { $0.key != ids[0] })
        #expect {
            _ = try DKG<Suite>.part3(secretPackage: mine, round1Packages: round1.filter { $0.key != ids[0] }, round2Packages: received)
        } throws: { ($0 as? MPCError)?.culprits == [ids[3].description] }

        let (keys, pub) = try LocalCeremony<Suite>.keyGeneration(identifiers: ids, minSigners: 3)
        let message = Array("pay".utf8)
        let signers = [ids[0], ids[2], ids[3]]
        let n0 = FROST<Suite>.commit(keyPackage: keys[signers[0]]!)
        let n1 = FROST<Suite>.commit(keyPackage: keys[signers[1]]!)
        let n2 = FROST<Suite>.commit(keyPackage: keys[signers[2]]!)
        let package = FROST<Suite>.SigningPackage(
            commitments: [signers[0]: n0.commitments, signers[1]: n1.commitments, signers[2]: n2.commitments],
            message: message, tweak: tweak)
        var shares: [Identifier<Suite>: FROST<Suite>.SignatureShare] = [:]
        shares[signers[0]] = try FROST<Suite>.sign(package: package, nonces: n0, keyPackage: keys[signers[0]]!,
                                                   publicKeyPackage: pub, expectedMessage: message, expectedTweak: tweak)
        let honest = try FROST<Suite>.sign(package: package, nonces: n1, keyPackage: keys[signers[1]]!,
                                           publicKeyPackage: pub, expectedMessage: message, expectedTweak: tweak)
        shares[signers[1]] = .init(share: honest.share + .one, packageDigest: honest.packageDigest)
        shares[signers[2]] = try FROST<Suite>.sign(package: package, nonces: n2, keyPackage: keys[signers[2]]!,
                                                   publicKeyPackage: pub, expectedMessage: message, expectedTweak: tweak)
        #expect {
            _ = try FROST<Suite>.aggregate(package: package, shares: shares, publicKeyPackage: pub)
        } throws: { ($0 as? MPCError)?.code == .invalidSignatureShare && ($0 as? MPCError)?.culprits == [signers[1].description] }
        // A round-1 package whose commitment is the identity is refused and named.
        var withIdentity = round1.filter { $0.key != ids[0] }
        let p = withIdentity[ids[1]]!
        withIdentity[ids[1]] = .init(commitment: .init(coefficients: [Suite.Element.identity] + p.commitment.coefficients.dropFirst()),
                                     proofOfKnowledge: p.proofOfKnowledge)
        #expect {
            _ = try DKG<Suite>.part2(secretPackage: secrets[ids[0]]!, round1Packages: withIdentity)
        } throws: { ($0 as? MPCError)?.culprits == [ids[1].description] }
    }

    @Test func cheatersNamedEd25519() throws { try Self.cheatersNamed(Ed25519SHA512.self, tweak: nil) }
    @Test func cheatersNamedTaproot() throws { try Self.cheatersNamed(Secp256k1TaprootSHA256.self, tweak: .keyPathOnly) }
    @Test func cheatersNamedSecp256k1() throws { try Self.cheatersNamed(Secp256k1SHA256.self, tweak: nil) }

    // MARK: Malformed encodings

    /// Every strict prefix and one extra byte of a valid encoding are refused as malformed, and
    /// the reason says what was wrong: the input is empty, or truncated at a named field, or has
    /// trailing bytes, or is of another message kind.
    static func expectStrict(_ name: String, _ bytes: [UInt8], decode: ([UInt8]) throws -> Void) {
        #expect(throws: Never.self, "\(name) decodes") { try decode(bytes) }
        func expectMalformed(_ input: [UInt8], saying words: String, _ comment: String) {
            let error = #expect(throws: MPCError(.malformedMessage, ""), "\(name) \(comment)") { try decode(input) }
            #expect(error?.reason.contains(words) == true, "\(name) \(comment): \(error.map(\.reason) ?? "")")
        }
        expectMalformed([], saying: "empty input", "empty")
        for length in 1..<bytes.count {
            expectMalformed(Array(bytes.prefix(length)), saying: "truncated at ", "truncated to \(length) bytes")
        }
        expectMalformed(bytes + [0], saying: "trailing bytes", "with a trailing byte")
        var wrongKind = bytes
        wrongKind[0] ^= 0x80
        expectMalformed(wrongKind, saying: "wrong message kind", "with a wrong kind")
    }

    static func malformedEncodings<Suite: Ciphersuite>(_: Suite.Type) throws {
        let ids = try (1...3).map { try Identifier<Suite>(UInt64($0)) }
        let (_, round1) = try DKG<Suite>.part1(identifier: ids[0], maxSigners: 3, minSigners: 2)
        expectStrict("DKG round-1 package", try round1.serializedBytes) { _ = try DKG<Suite>.Round1.Package(serializedBytes: $0) }
        expectStrict("DKG round-2 package", DKG<Suite>.Round2.Package(unsafeSigningShare: .random()).unsafeSerializedBytes().unsafeCopyBytes()) {
            _ = try DKG<Suite>.Round2.Package(serializedBytes: $0)
        }
        let (keys, pub) = try LocalCeremony<Suite>.keyGeneration(identifiers: ids, minSigners: 2)
        expectStrict("public key package", try pub.serializedBytes) { _ = try PublicKeyPackage<Suite>(serializedBytes: $0) }
        let nonces = FROST<Suite>.commit(keyPackage: keys[ids[0]]!)
        expectStrict("signing commitments", try nonces.commitments.serializedBytes) {
            _ = try FROST<Suite>.SigningCommitments(serializedBytes: $0)
        }
        let other = FROST<Suite>.commit(keyPackage: keys[ids[1]]!)
        let package = FROST<Suite>.SigningPackage(commitments: [ids[0]: nonces.commitments, ids[1]: other.commitments],
                                                  message: Array("message".utf8))
        expectStrict("signing package", try package.serializedBytes) { _ = try FROST<Suite>.SigningPackage(serializedBytes: $0) }
        expectStrict("signature share", FROST<Suite>.SignatureShare(share: .random(), packageDigest: SecureRandom.bytes(count: 32)).serializedBytes) {
            _ = try FROST<Suite>.SignatureShare(serializedBytes: $0)
        }
        let (dealing, shares) = try Reshare<Suite>.deal(keyPackage: keys[ids[0]]!, parameters: .refresh(pub, sessionID: SecureRandom.bytes(count: 32)))
        expectStrict("reshare dealing", try dealing.serializedBytes) { _ = try Reshare<Suite>.Dealing(serializedBytes: $0) }
        expectStrict("reshare share", shares[ids[1]]!.unsafeSerializedBytes().unsafeCopyBytes()) {
            _ = try Reshare<Suite>.Share(serializedBytes: $0)
        }
        expectStrict("sealed key package", try keys[ids[0]]!.sealedRepresentation().unsafeCopyBytes()) {
            _ = try KeyPackage<Suite>(sealedRepresentation: SecretBytes($0))
        }

        // Invalid group encodings inside an otherwise well-formed message.
        var badElement = try nonces.commitments.serializedBytes
        for i in 1...Suite.Element.byteCount { badElement[i] = 0xff }
        #expect(throws: MPCError(.malformedMessage, "")) { _ = try FROST<Suite>.SigningCommitments(serializedBytes: badElement) }
        var badScalar = FROST<Suite>.SignatureShare(share: .random(), packageDigest: SecureRandom.bytes(count: 32)).serializedBytes
        for i in 1...Suite.Scalar.byteCount { badScalar[i] = 0xff }
        #expect(throws: MPCError(.malformedMessage, "")) { _ = try FROST<Suite>.SignatureShare(serializedBytes: badScalar) }
        // A package that lists a signer twice.
        var twice = try package.serializedBytes
        let entry = Suite.Scalar.byteCount + 2 * Suite.Element.byteCount
        twice.replaceSubrange((3 + entry)..<(3 + 2 * entry), with: twice[3..<(3 + entry)])
        #expect(throws: MPCError(.duplicateParticipant, "")) { _ = try FROST<Suite>.SigningPackage(serializedBytes: twice) }
        // Signatures and proofs of the wrong length.
        #expect(throws: CryptoError.self) { _ = try FROST<Suite>.Signature(serializedBytes: [UInt8](repeating: 1, count: 10)) }
    }

    @Test func malformedEncodingsEd25519() throws { try Self.malformedEncodings(Ed25519SHA512.self) }
    @Test func malformedEncodingsSecp256k1() throws { try Self.malformedEncodings(Secp256k1SHA256.self) }
    @Test func malformedEncodingsTaproot() throws { try Self.malformedEncodings(Secp256k1TaprootSHA256.self) }
}
