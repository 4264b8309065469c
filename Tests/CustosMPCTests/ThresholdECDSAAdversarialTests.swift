import CustosCore
import CustosCrypto
import Foundation
import Testing

@testable import CustosMPC

/// Threshold ECDSA with a misbehaving party at every round: the run aborts and the blame step
/// names exactly that party. Presignatures are refused when reused, foreign, stale after a
/// refresh, or used by another signer set.
@Suite struct ThresholdECDSAAdversarialTests {
    typealias T = ThresholdECDSA
    typealias ID = T.ID

    /// What a cheating party does to one message on its way to one recipient.
    enum Tamper {
        case round1Share((ID, ID, T.PresignShares) -> T.PresignShares?)  // dealer, recipient
        case round2((ID, ID, T.PresignRound2) -> T.PresignRound2?)  // sender, recipient
        case round3((ID, ID, T.PresignRound3) -> T.PresignRound3?)
    }

    /// Runs a presign among parties 1…3 (n = 4, t = 1), applying `tamper`; returns either the
    /// presignatures or the error and the blame verdict from everyone's evidence.
    static func run(_ tamper: Tamper?, revealAfterRound3: Bool = false) throws -> (MPCError?, [ID]) {
        let keys = try T.Local.keyGeneration(identifiers: (1...4).map { try ID(UInt64($0)) }, maxFaulty: 1)
        let signers = try [1, 2, 3].map { try ID(UInt64($0)) }
        let context = try T.PresignContext(sessionID: SecureRandom.bytes(count: 32), keyShare: keys[signers[0]]!, signers: signers)
        var boxes: [ID: T.PartyBox] = [:]
        for id in signers { boxes[id] = T.PartyBox(try T.PresignParty(context: context, keyShare: keys[id]!)) }
        func deliver<M>(_ messages: [ID: M], to recipient: ID, _ hook: ((ID, ID, M) -> M?)?) -> [ID: M] {
            var out: [ID: M] = [:]
            for (sender, m) in messages { if let delivered = hook.map({ $0(sender, recipient, m) }) ?? m { out[sender] = delivered } }
            return out
        }
        var failure: MPCError? = nil
        do throws(MPCError) {
            var round1: [ID: T.PresignRound1] = [:]
            var privately: [ID: [ID: T.PresignShares]] = [:]
            for id in signers {
                let (b, shares) = try boxes[id]!.party.round1Messages()
                round1[id] = b
                for (to, s) in shares { privately[to, default: [:]][id] = s }
            }
            var hook1: ((ID, ID, T.PresignShares) -> T.PresignShares?)? = nil
            var hook2: ((ID, ID, T.PresignRound2) -> T.PresignRound2?)? = nil
            var hook3: ((ID, ID, T.PresignRound3) -> T.PresignRound3?)? = nil
            switch tamper {
            case .round1Share(let h): hook1 = h
            case .round2(let h): hook2 = h
            case .round3(let h): hook3 = h
            case nil: break
            }
            var round2: [ID: T.PresignRound2] = [:]
            for id in signers {
                round2[id] = try boxes[id]!.party.round2Message(broadcasts: round1, shares: deliver(privately[id]!, to: id, hook1))
            }
            var round3: [ID: T.PresignRound3] = [:]
            for id in signers { round3[id] = try boxes[id]!.party.round3Message(broadcasts: deliver(round2, to: id, hook2)) }
            if revealAfterRound3 { throw MPCError(.checkFailed, "test: reveal an honest run") }
            var confirmations: [ID: T.PresignConfirmation] = [:]
            for id in signers { confirmations[id] = try boxes[id]!.party.finish(broadcasts: deliver(round3, to: id, hook3)) }
            for id in signers { _ = try boxes[id]!.party.confirm(confirmations: confirmations) }
        } catch {
            failure = error
        }
        guard let failure else { return (nil, []) }
        if failure.code == .missingParticipant { return (failure, failure.culprits.compactMap { id in signers.first { $0.description == id } }) }
        var evidence: [ID: T.PresignEvidence] = [:]
        for id in signers { evidence[id] = try boxes[id]!.party.evidence() }
        return (failure, T.PresignBlame.culprits(context: context, publicKeyPackage: keys[signers[0]]!.publicKeyPackage,
                                                 evidence: evidence))
    }

    static let two = try! ID(2)

    @Test func honestRunCompletesAndHonestEvidenceNamesNobody() throws {
        let (error, culprits) = try Self.run(nil)
        #expect(error == nil)
        #expect(culprits.isEmpty)
        // Everyone reveals an honest run (as if a failure had been reported): blame names nobody.
        let (revealed, blamed) = try Self.run(nil, revealAfterRound3: true)
        #expect(revealed?.code == .checkFailed)
        #expect(blamed.isEmpty)
    }

    @Test func round1WrongShareNamesTheDealer() throws {
        for field in 0..<3 {
            let (error, culprits) = try Self.run(.round1Share { dealer, recipient, s in
                guard dealer == Self.two, recipient.description == "3" else { return s }
                switch field {
                case 0: return T.PresignShares(k: s.k + .one, a: s.a, b: s.b, d: s.d, e: s.e)
                case 1: return T.PresignShares(k: s.k, a: s.a + .one, b: s.b, d: s.d, e: s.e)
                default: return T.PresignShares(k: s.k, a: s.a, b: s.b, d: s.d, e: s.e + .one)
                }
            })
            #expect(error?.code == .checkFailed, "field \(field)")
            #expect(culprits == [Self.two], "field \(field)")
        }
    }

    @Test func round2WrongValueNamesTheSender() throws {
        for wrongR in [true, false] {
            let (error, culprits) = try Self.run(.round2 { sender, _, m in
                guard sender == Self.two else { return m }
                return wrongR ? T.PresignRound2(bigR: m.bigR + .generator, w: m.w, echo: m.echo)
                              : T.PresignRound2(bigR: m.bigR, w: m.w + .one, echo: m.echo)
            })
            #expect(error?.code == .checkFailed, "wrong \(wrongR ? "R_j" : "w_j")")
            #expect(culprits == [Self.two], "wrong \(wrongR ? "R_j" : "w_j")")
        }
    }

    @Test func round2EquivocationNamesTheSender() throws {
        // Party 2 shows party 3 a different w_j than it shows party 1.
        let (error, culprits) = try Self.run(.round2 { sender, recipient, m in
            guard sender == Self.two, recipient.description == "3" else { return m }
            return T.PresignRound2(bigR: m.bigR, w: m.w + .one, echo: m.echo)
        })
        #expect(error?.code == .checkFailed)
        #expect(culprits == [Self.two])
    }

    @Test func round3WrongValueNamesTheSender() throws {
        for field in 0..<3 {
            let (error, culprits) = try Self.run(.round3 { sender, _, m in
                guard sender == Self.two else { return m }
                switch field {
                case 0: return T.PresignRound3(bigW: m.bigW + .generator, alphaImage: m.alphaImage, betaImage: m.betaImage,
                                               eImage: m.eImage, echo: m.echo)
                case 1: return T.PresignRound3(bigW: m.bigW, alphaImage: m.alphaImage, betaImage: m.betaImage + .generator,
                                               eImage: m.eImage, echo: m.echo)
                default: return T.PresignRound3(bigW: m.bigW, alphaImage: m.alphaImage, betaImage: m.betaImage,
                                                eImage: m.eImage + .generator, echo: m.echo)
                }
            })
            #expect(error?.code == .checkFailed, "field \(field)")
            #expect(culprits == [Self.two], "field \(field)")
        }
    }

    @Test func silentPartyIsNamedAtEveryRound() throws {
        let drop1: Tamper = .round1Share { dealer, _, s in dealer == Self.two ? nil : s }
        let drop2: Tamper = .round2 { sender, _, m in sender == Self.two ? nil : m }
        let drop3: Tamper = .round3 { sender, _, m in sender == Self.two ? nil : m }
        for tamper in [drop1, drop2, drop3] {
            let (error, culprits) = try Self.run(tamper)
            #expect(error?.code == .missingParticipant)
            #expect(culprits == [Self.two])
        }
    }

    /// Runs rounds 1–3 honestly among 1…3 and returns the parties and their round-3 messages.
    static func throughRound3() throws -> ([ID: T.KeyShare], T.PresignContext, [ID: T.PartyBox], [ID: T.PresignRound3]) {
        let keys = try T.Local.keyGeneration(identifiers: (1...4).map { try ID(UInt64($0)) }, maxFaulty: 1)
        let signers = try [1, 2, 3].map { try ID(UInt64($0)) }
        let context = try T.PresignContext(sessionID: SecureRandom.bytes(count: 32), keyShare: keys[signers[0]]!, signers: signers)
        var boxes: [ID: T.PartyBox] = [:]
        for id in signers { boxes[id] = T.PartyBox(try T.PresignParty(context: context, keyShare: keys[id]!)) }
        var round1: [ID: T.PresignRound1] = [:]
        var inbox: [ID: [ID: T.PresignShares]] = [:]
        for id in signers {
            let (b, shares) = try boxes[id]!.party.round1Messages()
            round1[id] = b
            for (to, s) in shares { inbox[to, default: [:]][id] = s }
        }
        var round2: [ID: T.PresignRound2] = [:]
        for id in signers { round2[id] = try boxes[id]!.party.round2Message(broadcasts: round1, shares: inbox[id]!) }
        var round3: [ID: T.PresignRound3] = [:]
        for id in signers { round3[id] = try boxes[id]!.party.round3Message(broadcasts: round2) }
        return (keys, context, boxes, round3)
    }

    @Test func confirmedRunsNeverRevealAndRevealedRunsNeverComplete() throws {
        let (_, context, boxes, round3) = try Self.throughRound3()
        let (one, two, three) = (context.signers[0], context.signers[1], context.signers[2])
        var confirmations: [ID: T.PresignConfirmation] = [:]
        confirmations[one] = try boxes[one]!.party.finish(broadcasts: round3)
        confirmations[two] = try boxes[two]!.party.finish(broadcasts: round3)
        // A party that confirmed refuses to reveal, even if asked.
        #expect(throws: MPCError(.invalidParameters, "")) { _ = try boxes[one]!.party.evidence() }
        // Party 3 reveals before finishing: it can no longer finish, so nobody completes.
        _ = try boxes[three]!.party.evidence()
        #expect(throws: MPCError(.invalidParameters, "")) { _ = try boxes[three]!.party.finish(broadcasts: round3) }
        #expect(throws: MPCError(.missingParticipant, "")) { _ = try boxes[one]!.party.confirm(confirmations: confirmations) }
        // …and a failed confirm cannot be retried.
        confirmations[three] = confirmations[two]
        #expect(throws: MPCError(.invalidParameters, "")) { _ = try boxes[one]!.party.confirm(confirmations: confirmations) }
    }

    @Test func differingConfirmationsAbortAndRound3ViewsNameTheEquivocator() throws {
        let (_, context, boxes, round3) = try Self.throughRound3()
        var confirmations: [ID: T.PresignConfirmation] = [:]
        for id in context.signers { confirmations[id] = try boxes[id]!.party.finish(broadcasts: round3) }
        confirmations[context.signers[2]] = T.PresignConfirmation(digest: [UInt8](repeating: 7, count: 32))
        #expect {
            _ = try boxes[context.signers[0]]!.party.confirm(confirmations: confirmations)
        } throws: { ($0 as? MPCError)?.code == .checkFailed }
        // Views of public round-3 broadcasts name a sender that showed two versions.
        let two = context.signers[1]
        var altered = round3
        let m = round3[two]!
        altered[two] = T.PresignRound3(bigW: m.bigW + .generator, alphaImage: m.alphaImage, betaImage: m.betaImage,
                                       eImage: m.eImage, echo: m.echo)
        #expect(T.PresignBlame.equivocators(views: [context.signers[0]: round3, context.signers[2]: altered]) == [two])
    }

    @Test func withheldOrMisattributedEvidenceIsBlamed() throws {
        // Party 2 sends a bad w_j, then leaves a dealer out of its evidence: it is still named.
        let (keys, context, boxes, _) = try Self.throughRound3()
        _ = keys
        var evidence: [ID: T.PresignEvidence] = [:]
        for id in context.signers { evidence[id] = try boxes[id]!.party.evidence() }
        let two = context.signers[1]
        let full = evidence[two]!
        evidence[two] = T.PresignEvidence(identifier: two, polynomials: full.polynomials,
                                          received: full.received.filter { $0.key != context.signers[0] },
                                          round1: full.round1, round2: full.round2, round3: full.round3, betaProof: full.betaProof)
        let pub = keys[two]!.publicKeyPackage
        #expect(T.PresignBlame.culprits(context: context, publicKeyPackage: pub, evidence: evidence) == [two])
        // Evidence filed under another party's name blames the filer's slot.
        evidence[two] = full
        evidence[context.signers[2]] = full
        #expect(T.PresignBlame.culprits(context: context, publicKeyPackage: pub, evidence: evidence) == [context.signers[2]])
    }

    @Test func badSignatureShareIsNamed() throws {
        let keys = try T.Local.keyGeneration(identifiers: (1...4).map { try ID(UInt64($0)) }, maxFaulty: 1)
        let signers = try [1, 2, 4].map { try ID(UInt64($0)) }
        let presignatures = try T.Local.presign(keyShares: keys, signers: signers)
        let request = try T.SignRequest(messageHash: SecureRandom.bytes(count: 32), entropy: SecureRandom.bytes(count: 32))
        var shares: [ID: T.SignatureShare] = [:]
        var publicData: T.PresignaturePublicData? = nil
        for id in signers {
            let p = presignatures[id]!.take()!
            publicData = p.publicData
            shares[id] = try T.sign(presignature: p, keyShare: keys[id]!, signers: signers, request: request)
        }
        let bad = try ID(4)
        shares[bad] = T.SignatureShare(share: shares[bad]!.share + .one)
        #expect {
            try T.combine(publicData: publicData!, publicKey: keys[bad]!.publicKey, request: request, shares: shares)
        } throws: { ($0 as? MPCError)?.code == .invalidSignatureShare && ($0 as? MPCError)?.culprits == [bad.description] }
        // A signer that signed another hash is named (its share does not check under the request).
        let otherRequest = try T.SignRequest(messageHash: SecureRandom.bytes(count: 32), entropy: request.entropy)
        let second = try T.Local.presign(keyShares: keys, signers: signers)
        var secondShares: [ID: T.SignatureShare] = [:]
        var secondData: T.PresignaturePublicData? = nil
        for id in signers {
            let p = second[id]!.take()!
            secondData = p.publicData
            secondShares[id] = try T.sign(presignature: p, keyShare: keys[id]!, signers: signers,
                                          request: id == bad ? otherRequest : request)
        }
        #expect {
            try T.combine(publicData: secondData!, publicKey: keys[bad]!.publicKey, request: request, shares: secondShares)
        } throws: { ($0 as? MPCError)?.code == .invalidSignatureShare && ($0 as? MPCError)?.culprits == [bad.description] }
        // A missing share is named.
        shares[bad] = nil
        #expect {
            try T.combine(publicData: publicData!, publicKey: keys[bad]!.publicKey, request: request, shares: shares)
        } throws: { ($0 as? MPCError)?.code == .missingParticipant && ($0 as? MPCError)?.culprits == [bad.description] }
    }

    @Test func presignaturesAreBoundToKeyEpochSignersAndOwner() throws {
        let ids = try (1...4).map { try ID(UInt64($0)) }
        let keys = try T.Local.keyGeneration(identifiers: ids, maxFaulty: 1)
        let signers = Array(ids.prefix(3))
        let request = try T.SignRequest(messageHash: SecureRandom.bytes(count: 32), entropy: SecureRandom.bytes(count: 32))

        // Used once: the box hands it out once.
        let box = try T.Local.presign(keyShares: keys, signers: signers)[ids[0]]!
        guard let first = box.take() else {
            Issue.record("no presignature")
            return
        }
        if box.take() != nil { Issue.record("a presignature was handed out twice") }
        // Another signer's presignature is refused.
        do {
            _ = try T.sign(presignature: first, keyShare: keys[ids[1]]!, signers: signers, request: request)
            Issue.record("signed with another signer's presignature")
        } catch { #expect(error.code == .presignatureMismatch) }
        // A different signer set than the one that presigned is refused.
        let p2 = try T.Local.presign(keyShares: keys, signers: signers)[ids[0]]!.take()!
        do {
            _ = try T.sign(presignature: p2, keyShare: keys[ids[0]]!, signers: [ids[0], ids[1], ids[3]], request: request)
            Issue.record("signed with a different signer set")
        } catch { #expect(error.code == .presignatureMismatch) }
        // A presignature of another key is refused.
        let otherKeys = try T.Local.keyGeneration(identifiers: ids, maxFaulty: 1)
        let foreign = try T.Local.presign(keyShares: otherKeys, signers: signers)[ids[0]]!.take()!
        do {
            _ = try T.sign(presignature: foreign, keyShare: keys[ids[0]]!, signers: signers, request: request)
            Issue.record("signed with another key's presignature")
        } catch { #expect(error.code == .presignatureMismatch) }
        // After a refresh, presignatures made before are refused.
        let stale = try T.Local.presign(keyShares: keys, signers: signers)[ids[0]]!.take()!
        let refreshed = try Self.refresh(keys)
        #expect(refreshed[ids[0]]!.publicKey == keys[ids[0]]!.publicKey)
        #expect(refreshed[ids[0]]!.epoch != keys[ids[0]]!.epoch)
        do {
            _ = try T.sign(presignature: stale, keyShare: refreshed[ids[0]]!, signers: signers, request: request)
            Issue.record("signed with a presignature from before the refresh")
        } catch { #expect(error.code == .presignatureMismatch) }
        // …while fresh presignatures of the refreshed key sign.
        let signature = try T.Local.sign(presignatures: T.Local.presign(keyShares: refreshed, signers: signers),
                                         keyShares: refreshed, request: request)
        #expect(T.isValid(signature, hash: request.messageHash, key: keys[ids[0]]!.publicKey))
        // The zero hash is refused.
        #expect(throws: MPCError(.invalidParameters, "")) {
            _ = try T.SignRequest(messageHash: [UInt8](repeating: 0, count: 32), entropy: SecureRandom.bytes(count: 32))
        }
    }

    @Test func sealedPresignatureRoundTripsAndSigns() throws {
        let ids = try (1...3).map { try ID(UInt64($0)) }
        let keys = try T.Local.keyGeneration(identifiers: ids, maxFaulty: 1)
        let boxes = try T.Local.presign(keyShares: keys, signers: ids)
        var restored: [ID: T.PresignatureBox] = [:]
        for id in ids {
            let sealed = try boxes[id]!.take()!.sealedRepresentation()
            #expect("\(sealed)".contains("redacted"))
            restored[id] = T.PresignatureBox(try T.Presignature(sealedRepresentation: sealed))
            var truncated = sealed.unsafeCopyBytes()
            truncated.removeLast()
            #expect(throws: MPCError(.malformedMessage, "")) { _ = try T.Presignature(sealedRepresentation: SecretBytes(truncated)) }
        }
        let request = try T.SignRequest(messageHash: SecureRandom.bytes(count: 32), entropy: SecureRandom.bytes(count: 32))
        let signature = try T.Local.sign(presignatures: restored, keyShares: keys, request: request)
        #expect(T.isValid(signature, hash: request.messageHash, key: keys[ids[0]]!.publicKey))
    }

    /// Refresh of an ECDSA key through the shared reshare machinery; the chain code stays.
    static func refresh(_ keys: [ID: T.KeyShare]) throws -> [ID: T.KeyShare] {
        let any = keys.values.first!
        let parameters = try Reshare<T.Suite>.Parameters.refresh(any.publicKeyPackage, sessionID: SecureRandom.bytes(count: 32))
        let (fresh, pub) = try LocalCeremony<T.Suite>.reshare(parameters: parameters, dealerKeys: keys.mapValues(\.keyPackage))
        return try fresh.mapValues { try T.KeyShare(keyPackage: $0, publicKeyPackage: pub, chainCode: any.chainCode) }
    }
}
