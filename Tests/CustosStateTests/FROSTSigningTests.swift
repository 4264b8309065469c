import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosMPC
import CustosNode
import CustosPolicy
import CustosSigning
@testable import CustosState
import Testing

/// FROST signing through the log: nodes publish nonce commitments to the vault's pool, the state
/// assigns a signer set and their commitments to an allowed request, each signer re-checks the
/// request in its own state and records its nonce's use before its share leaves it, and the
/// aggregated signature counts only once every node verified it under the vault's key. A wrong
/// share is proven with its sender's signed envelope and the sender is left out of the next
/// signer set; a false blame leaves out the blamer; a silent signer set is replaced at the
/// deadline; nothing is assigned while frozen.
@Suite struct FROSTSigningTests {
    var ceremony = VaultCeremonyTests()
    var nodes: [VaultCeremonyTests.Node] { ceremony.nodes }

    /// A cluster with an active vault, the nodes' key shares, a bot, and an allowed request.
    struct Setup {
        var c: Cluster
        var keys: [NodeID: SecretBytes]
        var nonces: [NodeID: [[UInt8]: SecretBytes]] = [:]
        var batches: [NodeID: UInt32] = [:]
        var databases: [NodeID: NodeDatabase] = [:]
        let request: String
    }

    func setup(_ scheme: Vault.Scheme, message: [UInt8] = Array("withdraw 5 ETH to kraken, nonce 17".utf8),
               policyYAML: String = Cluster.policy()) throws -> Setup {
        var c = try ceremony.cluster(policyYAML: policyYAML)
        let keys = try ceremony.generate(&c, "hot", scheme)
        let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("risk-bot", key: bot.publicKey)
        guard case .requestDecided(let id, .allow) = try c.submit(c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: bot))
        else { throw TestFailure("the request was not allowed") }
        try c.state.startSigning(request: id, vault: "hot", message: message)
        var s = Setup(c: c, keys: keys, request: id)
        for n in nodes { s.databases[n.id] = try NodeDatabase.inMemory() }
        return s
    }

    struct TestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// `node` makes `count` nonce pairs with its key share and publishes their commitments.
    func publish(_ s: inout Setup, _ node: VaultCeremonyTests.Node, count: Int = 2) throws -> GovernanceOutcome {
        let scheme = s.c.state.vaults["hot"]!.scheme
        var commitments: [[UInt8]] = []
        for _ in 0..<count {
            let (commitment, sealed) = try makeNonces(scheme, key: s.keys[node.id]!)
            s.nonces[node.id, default: [:]][commitment] = sealed
            commitments.append(commitment)
        }
        let batch = s.batches[node.id, default: 0]
        s.batches[node.id] = batch + 1
        return try ceremony.submit(&s.c, .nonces(vault: "hot", epoch: 0, batch: batch, commitments: commitments), by: node)
    }

    func makeNonces(_ scheme: Vault.Scheme, key: SecretBytes) throws -> ([UInt8], SecretBytes) {
        let made = try FROSTSigningRound.nonces(scheme, keyShare: key)
        return (made.commitment, made.sealed)
    }

    /// Every signer of the current attempt computes its shares; returns each recipient's inbox
    /// (sealed and opened as the relay carries them), `tamper` changing what a sender sends.
    func shares(
        _ s: Setup, tamper: (NodeID, VaultShareMessage) -> VaultShareMessage = { _, m in m }
    ) throws -> [NodeID: [NodeID: SignedEnvelope.Evidence]] {
        let session = s.c.state.signing[s.request]!
        var inbox: [NodeID: [NodeID: SignedEnvelope.Evidence]] = [:]
        for signer in session.signers {
            let node = ceremony.node(signer)
            let nonce = s.nonces[signer]![session.commitments[signer]!]!
            let out = try FROSTSigningRound.share(s.c.state, request: s.request, me: signer, keyShare: s.keys[signer]!, nonces: nonce,
                                                  signer: OneTimeSigner(database: s.databases[signer]!))
            for (to, message) in out {
                let header = try SignedEnvelope.Header(
                    sessionID: s.c.state.signingSessionID(session), round: VaultEntry.signatureShareRound,
                    sender: node.identity.publicKeyBytes, recipient: Array(ceremony.node(to).transport.publicKey.rawRepresentation))
                let sealed = try node.identity.seal(tamper(signer, message).encoded, header: header)
                inbox[to, default: [:]][signer] = try ceremony.open(sealed, at: ceremony.node(to))
            }
        }
        return inbox
    }

    func plainShares(_ evidence: [NodeID: SignedEnvelope.Evidence]) throws -> [NodeID: [UInt8]] {
        try evidence.mapValues { try VaultShareMessage(encoded: $0.plaintext).unsafeShare }
    }

    @Test(arguments: [Vault.Scheme.frostEd25519, .frostTaproot])
    func anAllowedRequestIsSignedOnceWithNoncesFromThePool(scheme: Vault.Scheme) throws {
        var s = try setup(scheme)
        #expect(s.c.state.signing[s.request]?.status == .waiting, "no nonce commitments yet")
        for n in nodes { _ = try publish(&s, n) }
        let session = try #require(s.c.state.signing[s.request])
        #expect(session.status == .signing && session.signers.count == 3 && session.attempt == 0)
        #expect(s.c.state.vaults["hot"]!.nonces.values.map(\.count).reduce(0, +) == 8 - 3, "three commitments were taken")
        let inbox = try shares(s)
        let aggregator = session.signers[0]
        guard case .signature(let signature) = try FROSTSigningRound.aggregate(s.c.state, request: s.request,
                                                                               shares: try plainShares(inbox[aggregator]!))
        else { Issue.record("no signature"); return }
        #expect(try ceremony.submit(&s.c, .signature(vault: "hot", epoch: 0, request: s.request, signature: signature),
                                    by: ceremony.node(aggregator)) == .signed(requestId: s.request))
        let signed = try #require(s.c.state.signing[s.request])
        #expect(signed.status == .signed && signed.signature == signature && signed.signedBy == aggregator)
        // Independent verification under the vault's key.
        let key = try #require(s.c.state.vaults["hot"]?.key)
        switch scheme {
        case .frostEd25519:
            #expect(try Curve25519.Signing.PublicKey(rawRepresentation: key.groupKey).isValidSignature(signature, for: signed.message))
        default:
            let internalKey = try Secp256k1.Point(compressedRepresentation: key.groupKey)
            let output = try Secp256k1TaprootSHA256.outputKey(internalKey: internalKey, tweak: .keyPathOnly).xOnlyRepresentation()
            #expect(Secp256k1.Schnorr.isValidSignature(signature, for: signed.message, xOnlyPublicKey: output))
        }
        // The same signature again, or another node's, is not recorded twice.
        #expect(Cluster.code(try ceremony.submit(&s.c, .signature(vault: "hot", epoch: 0, request: s.request, signature: signature),
                                                 by: nodes[3])) == .ceremonyRefused)
        // A signer that is asked again refuses: the request is signed, and its nonce is spent.
        #expect(throws: FROSTSigningRound.Refusal.self) {
            _ = try FROSTSigningRound.check(s.c.state, request: s.request, me: session.signers[1])
        }
    }

    @Test func aSignatureThatDoesNotVerifyIsRefusedAndANonceSignsOnce() throws {
        var s = try setup(.frostEd25519)
        for n in nodes { _ = try publish(&s, n) }
        let session = s.c.state.signing[s.request]!
        // An Ed25519 signature of another message under the right key is no signature of this one.
        let inbox = try shares(s)
        guard case .signature(var signature) = try FROSTSigningRound.aggregate(s.c.state, request: s.request,
                                                                               shares: try plainShares(inbox[session.signers[0]]!))
        else { Issue.record("no signature"); return }
        signature[63] ^= 0x01
        #expect(Cluster.code(try ceremony.submit(&s.c, .signature(vault: "hot", epoch: 0, request: s.request, signature: signature),
                                                 by: ceremony.node(session.signers[0]))) == .ceremonyRefused)
        #expect(s.c.state.signing[s.request]?.status == .signing)
        // The nonce is recorded as used: computing the share again from the same nonce is refused.
        let signer = session.signers[0]
        #expect(throws: StorageError(.alreadyUsed, "")) {
            _ = try FROSTSigningRound.share(s.c.state, request: s.request, me: signer, keyShare: s.keys[signer]!,
                                            nonces: s.nonces[signer]![session.commitments[signer]!]!,
                                            signer: OneTimeSigner(database: s.databases[signer]!))
        }
    }

    @Test func aWrongShareIsProvenExcludedAndAnotherSignerSetSigns() throws {
        var s = try setup(.frostTaproot)
        for n in nodes { _ = try publish(&s, n) }
        let first = s.c.state.signing[s.request]!
        let cheat = first.signers[1]
        let inbox = try shares(s) { from, m in
            guard from == cheat else { return m }
            var share = m.unsafeShare
            share[5] ^= 1
            return VaultShareMessage(vault: m.vault, epoch: m.epoch, signing: m.signing, recipient: m.recipient, unsafeShare: share)
        }
        let aggregator = first.signers.first { $0 != cheat }!
        guard case .wrongShare(let culprit) = try FROSTSigningRound.aggregate(s.c.state, request: s.request,
                                                                              shares: try plainShares(inbox[aggregator]!))
        else { Issue.record("the wrong share was not found"); return }
        #expect(culprit == cheat)
        _ = try ceremony.submit(&s.c, .blame(vault: "hot", epoch: 0, request: s.request, attempt: 0, accused: cheat,
                                             evidence: inbox[aggregator]![cheat]!), by: ceremony.node(aggregator))
        let next = try #require(s.c.state.signing[s.request])
        #expect(next.blames.map(\.culprit) == [cheat])
        #expect(s.c.state.vaults["hot"]?.excluded == [cheat])
        #expect(next.attempt == 1 && next.status == .signing && !next.signers.contains(cheat))
        // The new signer set signs.
        let again = try shares(s)
        guard case .signature(let signature) = try FROSTSigningRound.aggregate(s.c.state, request: s.request,
                                                                               shares: try plainShares(again[next.signers[0]]!))
        else { Issue.record("no signature on the second attempt"); return }
        #expect(try ceremony.submit(&s.c, .signature(vault: "hot", epoch: 0, request: s.request, signature: signature),
                                    by: ceremony.node(next.signers[0])) == .signed(requestId: s.request))
    }

    @Test func aSignedEnvelopeThatIsNotAShareForTheBlamerExcludesItsSender() throws {
        var s = try setup(.frostEd25519)
        for n in nodes { _ = try publish(&s, n) }
        let session = s.c.state.signing[s.request]!
        let (honest, cheat) = (session.signers[0], session.signers[1])
        // The cheat signs, for the honest signer, an envelope in this attempt naming another vault.
        let inbox = try shares(s) { from, m in
            from == cheat ? VaultShareMessage(vault: "elsewhere", epoch: m.epoch, signing: m.signing, recipient: m.recipient,
                                              unsafeShare: m.unsafeShare) : m
        }
        _ = try ceremony.submit(&s.c, .blame(vault: "hot", epoch: 0, request: s.request, attempt: 0, accused: cheat,
                                             evidence: inbox[honest]![cheat]!), by: ceremony.node(honest))
        #expect(s.c.state.vaults["hot"]?.excluded == [cheat], "the sender, not the honest blamer")
    }

    /// The first signer blames the second with a share that verifies; returns them.
    func falseBlame(_ s: inout Setup) throws -> (liar: NodeID, victim: NodeID) {
        let session = s.c.state.signing[s.request]!
        let inbox = try shares(s)
        let (liar, victim) = (session.signers[0], session.signers[1])
        _ = try ceremony.submit(&s.c, .blame(vault: "hot", epoch: 0, request: s.request, attempt: 0, accused: victim,
                                             evidence: inbox[liar]![victim]!), by: ceremony.node(liar))
        return (liar, victim)
    }

    @Test func aFalseBlameExcludesTheBlamer() throws {
        var s = try setup(.frostEd25519)
        for n in nodes { _ = try publish(&s, n) }
        let (liar, _) = try falseBlame(&s)
        #expect(s.c.state.vaults["hot"]?.excluded == [liar])
        #expect(s.c.state.signing[s.request]?.blames.first?.culprit == liar)
    }

    /// A blame the state cannot judge — here because a third signer's commitment in the state
    /// does not decode, which is no signer's doing — convicts nobody: the entry is refused with
    /// the reason and the attempt runs to its deadline. Before, the accused was convicted.
    @Test func aBlameThatCannotBeJudgedConvictsNobody() throws {
        var s = try setup(.frostEd25519)
        for n in nodes { _ = try publish(&s, n) }
        let session = s.c.state.signing[s.request]!
        let inbox = try shares(s)
        let (complainant, accused, third) = (session.signers[0], session.signers[1], session.signers[2])
        s.c.state.signing[s.request]!.commitments[third] = [0x01, 0x02]
        let outcome = try ceremony.submit(&s.c, .blame(vault: "hot", epoch: 0, request: s.request, attempt: 0, accused: accused,
                                                       evidence: inbox[complainant]![accused]!), by: ceremony.node(complainant))
        guard case .refused(let error) = outcome else { Issue.record("judged: \(outcome)"); return }
        #expect(error.code == .ceremonyRefused && error.reason.contains("cannot be judged"), "\(error.reason)")
        #expect(s.c.state.vaults["hot"]?.excluded == [])
        #expect(s.c.state.signing[s.request]?.blames.isEmpty == true && s.c.state.signing[s.request]?.attempt == 0)
    }

    /// Exclusion lasts until governance readmits the node (`readmit-signer`, the quorum's
    /// approval): then it is in signer sets again. Readmitting a node that is not excluded, of a
    /// vault that does not exist, or one that is no longer a member fails and changes nothing.
    @Test func anExcludedSignerTakesPartAgainOnlyOnceGovernanceReadmitsIt() throws {
        var s = try setup(.frostEd25519)
        for n in nodes { _ = try publish(&s, n, count: 3) }
        let (liar, victim) = try falseBlame(&s)
        #expect(s.c.state.vaults["hot"]?.excluded == [liar])
        #expect(s.c.state.signing[s.request]?.signers.contains(liar) == false)

        // What cannot apply is refused when proposed, with the reason, and changes nothing.
        for (change, reason) in [(GovernanceChange.readmitSigner(vault: "hot", node: victim), "\(victim) is not excluded from vault hot"),
                                 (.readmitSigner(vault: "cold", node: liar), "no vault \"cold\""),
                                 (.readmitSigner(vault: "hot", node: "node-9"), "node-9 is not excluded")] {
            let (_, outcome) = try s.c.propose(change, by: "erin")
            guard case .refused(let error) = outcome else { Issue.record("\(change) was not refused"); continue }
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
        #expect(s.c.state.vaults["hot"]?.excluded == [liar], "a refused readmission changes nothing")

        let (p, outcome) = try s.c.propose(.readmitSigner(vault: "hot", node: liar), by: "erin")
        #expect(Cluster.code(outcome) == nil, "\(outcome)")
        #expect(s.c.state.vaults["hot"]?.excluded == [liar], "not before the quorum approves")
        try s.c.approve(p, by: "frank")
        try s.c.approve(p, by: "grace")
        #expect(s.c.status(p) == .executed, "\(s.c.state.operations[p.id]?.failure ?? "")")
        #expect(s.c.state.vaults["hot"]?.excluded == [])
        _ = try publish(&s, ceremony.node(liar), count: 3)
        // From then on it is eligible again: the signer sets of the next attempts rotate through
        // every member, the readmitted one included.
        var sets: Set<[NodeID]> = []
        for _ in 0..<4 {
            guard let current = s.c.state.signing[s.request], current.status == .signing else { break }
            sets.insert(current.signers)
            s.c.state.advance(to: current.deadline)
        }
        #expect(sets.contains { $0.contains(liar) }, "\(sets)")
    }

    /// An attempt's deadline is the policy's `signing.attempt_timeout` after it started: 30 s
    /// without the section, 12 s with `signing: {attempt_timeout: 12s}`, and not a moment sooner.
    @Test func anAttemptRunsForThePolicysAttemptTimeout() throws {
        var standard = try setup(.frostEd25519)
        for n in nodes { _ = try publish(&standard, n, count: 3) }
        let first = try #require(standard.c.state.signing[standard.request])
        #expect(first.deadline == first.startedAt + 30_000)
        var short = try setup(.frostEd25519, policyYAML: Cluster.policy() + "signing: {attempt_timeout: 12s}\n")
        #expect(short.c.state.policy.document.signing.attemptTimeoutSeconds == 12)
        for n in nodes { _ = try publish(&short, n, count: 3) }
        let attempt = try #require(short.c.state.signing[short.request])
        #expect(attempt.status == .signing && attempt.deadline == attempt.startedAt + 12_000)
        short.c.state.advance(to: attempt.deadline - 1)
        #expect(short.c.state.signing[short.request]?.attempt == 0, "still the first attempt before its deadline")
        short.c.state.advance(to: attempt.deadline)
        let next = try #require(short.c.state.signing[short.request])
        #expect(next.attempt == 1 && next.deadline == next.startedAt + 12_000 && next.signers != attempt.signers)
    }

    @Test func aSilentSignerSetIsReplacedAtTheDeadlineAndNothingIsAssignedWhileFrozen() throws {
        var s = try setup(.frostEd25519)
        for n in nodes { _ = try publish(&s, n, count: 3) }
        let first = s.c.state.signing[s.request]!
        s.c.state.advance(to: first.deadline)
        let second = try #require(s.c.state.signing[s.request])
        #expect(second.attempt == 1 && second.status == .signing && second.signers != first.signers)
        #expect(second.blames.isEmpty, "silence is not blamed")
        // Freeze: the next attempt is not assigned, and a signer refuses the current one.
        _ = try s.c.propose(.freeze, by: "heidi")
        #expect(s.c.state.frozen)
        #expect(throws: FROSTSigningRound.Refusal.self) {
            _ = try FROSTSigningRound.check(s.c.state, request: s.request, me: second.signers[0])
        }
        s.c.state.advance(to: second.deadline)
        let waiting = try #require(s.c.state.signing[s.request])
        #expect(waiting.status == .waiting)
        // A freeze that outlasts the wait limit ends the request; an unfreeze does not revive it.
        s.c.state.advance(to: waiting.startedAt + SigningSession.waitLimit)
        let failed = try #require(s.c.state.signing[s.request])
        #expect(failed.status == .failed && failed.failure?.contains("(signing is frozen)") == true, "\(failed.failure ?? "")")
    }

    /// An allowed request that no signer set can take within the wait limit fails, and nonces
    /// that arrive later do not sign it: a decision made long ago never signs by surprise.
    @Test func aRequestThatWaitsPastTheLimitFailsAndNeverSignsLater() throws {
        var s = try setup(.frostEd25519)
        let opened = try #require(s.c.state.signing[s.request])
        #expect(opened.status == .waiting)
        s.c.state.advance(to: opened.startedAt + SigningSession.waitLimit - 1)
        #expect(s.c.state.signing[s.request]?.status == .waiting, "one millisecond short of the limit")
        s.c.state.advance(to: opened.startedAt + SigningSession.waitLimit)
        let failed = try #require(s.c.state.signing[s.request])
        #expect(failed.status == .failed && failed.failure?.contains("no signer set was ready within 15 minutes") == true)
        for n in nodes { _ = try publish(&s, n) }
        let after = try #require(s.c.state.signing[s.request])
        #expect(after.status == .failed && after.signers.isEmpty)
        #expect(s.c.state.vaults["hot"]!.nonces.values.map(\.count).reduce(0, +) == 8, "no commitment was taken")
        #expect(!s.c.state.signing.open.contains { $0.requestId == s.request })
    }

    @Test func aTimeoutEntryCarriesBlockTimePastADeadlineAndNoEarlier() throws {
        var s = try setup(.frostEd25519)
        for n in nodes { _ = try publish(&s, n) }
        let first = s.c.state.signing[s.request]!
        let timeout = VaultEntry.timeout(vault: "hot", epoch: 0, request: s.request, attempt: 0)
        // Before the deadline: refused, and nothing moves.
        #expect(Cluster.code(try ceremony.submit(&s.c, timeout, by: nodes[3])) == .ceremonyRefused)
        #expect(s.c.state.signing[s.request]?.attempt == 0)
        // In a block past the deadline: the attempt moves on, and the entry itself changes nothing else.
        s.c.now = first.deadline
        #expect(try ceremony.submit(&s.c, timeout, by: nodes[3]) == .vault(id: "hot", status: .active))
        #expect(s.c.state.signing[s.request]?.attempt == 1)
        // Said again by another node for the same attempt: nothing left to end, nothing refused.
        #expect(try ceremony.submit(&s.c, timeout, by: nodes[2]) == .vault(id: "hot", status: .active))
        #expect(s.c.state.signing[s.request]?.attempt == 1)
    }

    @Test func replayedOrForeignNonceBatchesAreRefused() throws {
        var s = try setup(.frostEd25519)
        let node = nodes[0]
        let (commitment, _) = try makeNonces(.frostEd25519, key: s.keys[node.id]!)
        let batch = VaultEntry.nonces(vault: "hot", epoch: 0, batch: 0, commitments: [commitment])
        #expect(try ceremony.submit(&s.c, batch, by: node) == .vault(id: "hot", status: .active))
        #expect(Cluster.code(try ceremony.submit(&s.c, batch, by: node)) == .ceremonyRefused, "a replayed batch")
        // A Taproot commitment in an Ed25519 vault, and a batch from a node for another's slot.
        var taproot = try ceremony.cluster()
        let tkeys = try ceremony.generate(&taproot, "btc", .frostTaproot)
        let (foreign, _) = try makeNonces(.frostTaproot, key: tkeys[node.id]!)
        #expect(Cluster.code(try ceremony.submit(&s.c, .nonces(vault: "hot", epoch: 0, batch: 1, commitments: [foreign]), by: node))
            == .ceremonyRefused)
        #expect(Cluster.code(try ceremony.submit(&s.c, .nonces(vault: "hot", epoch: 1, batch: 1, commitments: [commitment]), by: node))
            == .ceremonyRefused, "another epoch")
    }
}
