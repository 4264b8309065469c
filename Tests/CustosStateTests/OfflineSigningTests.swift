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

/// Signing with a vault that has an offline share (air-gapped signing, #15 item 3), as the log
/// drives it: an attempt waits for the offline signer's answer; every member attests the
/// attempt's statement, checked byte for byte against each node's own state; the bundle the
/// online side assembles from certified blocks verifies for the offline signer; its answer is
/// taken once, checked against the vault's enrolment and the attempt's package; only then do the
/// online signers make their shares, and the signature verifies under Y_on + Y_off. Forged,
/// replayed, misdirected and wrong answers and attestations are refused or blamed.
@Suite struct OfflineSigningTests {
    let ceremony = VaultCeremonyTests()
    var nodes: [VaultCeremonyTests.Node] { ceremony.nodes }

    static let policy = Cluster.policy().replacing("rules:\n", with: """
        rules:
          - name: offline-messages
            match: {message: {format: [raw, bip340]}}
            outcome: allow

        """)

    /// The offline signer's secrets, as its store holds them.
    enum Key {
        case ed25519(FROST<Ed25519SHA512>.AdditiveKey)
        case taproot(FROST<Secp256k1TaprootSHA256>.AdditiveKey)
    }

    struct Setup {
        var c: Cluster
        let scheme: Vault.Scheme
        let keys: [NodeID: SecretBytes]
        let offline: Key
        let identity: Curve25519.Signing.PrivateKey
        let entry: Entry
        /// The block that committed the request.
        let block: Block
        let request: String
        var nonces: [NodeID: [[UInt8]: SecretBytes]] = [:]
        var databases: [NodeID: NodeDatabase] = [:]
    }

    /// A cluster with vault `cold` (an offline share), an allowed message request for it at
    /// height 12, and every node's nonce commitments published: the first attempt waits for the
    /// offline signer.
    func setup(_ scheme: Vault.Scheme, policyYAML: String = Self.policy) throws -> Setup {
        var c = try ceremony.cluster(policyYAML: policyYAML)
        let identity = Curve25519.Signing.PrivateKey()
        let offline: Key
        let enrolment: OfflineEnrolment
        switch scheme {
        case .frostEd25519:
            let key = FROST<Ed25519SHA512>.AdditiveKey.generate()
            offline = .ed25519(key)
            enrolment = try OfflineEnrolment.make(key: key, identity: identity, genesisDigest: c.state.genesisDigest, vault: "cold", scheme: scheme)
        default:
            let key = FROST<Secp256k1TaprootSHA256>.AdditiveKey.generate()
            offline = .taproot(key)
            enrolment = try OfflineEnrolment.make(key: key, identity: identity, genesisDigest: c.state.genesisDigest, vault: "cold", scheme: scheme)
        }
        let (p, _) = try c.propose(.createVault(id: "cold", label: "Cold", scheme: scheme, environment: .development, offline: enrolment), by: "erin")
        try c.approve(p, by: "frank")
        try c.approve(p, by: "grace")
        let keys = try ceremony.keyGeneration(&c, "cold")
        #expect(c.state.vaults["cold"]?.status == .active)
        let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("risk-bot", key: bot.publicKey)
        let message = scheme == .frostEd25519 ? MessageRequestTests.hex("raw", "0x0102")
            : MessageRequestTests.hex("bip340", "0x" + Array(repeating: UInt8(7), count: 40).hexString)
        let entry = try RequestEntry.submit(c.signed(MessageRequestTests.body(message, vault: "cold"), keyId: "risk-bot", key: bot))
        // The request commits in block 12, which the state enters as a node does.
        let block = try Block(height: 12, previousHash: LedgerHash(bytes: [UInt8](repeating: 3, count: 32)), timestamp: c.now + 1000,
                              entries: [entry])
        c.state.enter(block)
        let decided = try #require(Cluster.decided(c.apply(entry)))
        #expect(c.state.requestBook.requests[decided.id]?.blockHash == block.hash.bytes)
        #expect(decided.outcome == .allow)
        var s = Setup(c: c, scheme: scheme, keys: keys, offline: offline, identity: identity, entry: entry, block: block, request: decided.id)
        for n in nodes {
            s.databases[n.id] = try NodeDatabase.inMemory()
            let made = try FROSTSigningRound.nonces(scheme, keyShare: keys[n.id]!)
            s.nonces[n.id, default: [:]][made.commitment] = made.sealed
            try ceremony.submit(&s.c, .nonces(vault: "cold", epoch: 0, batch: 0, commitments: [made.commitment]), by: n)
        }
        return s
    }

    /// Every member attests the current attempt's statement as its own state makes it.
    func attestAll(_ s: inout Setup) throws -> [Entry] {
        var entries: [Entry] = []
        for n in nodes {
            let entry = try s.c.state.offlineStatement(for: s.request).entry(signedBy: n.identity, genesisDigest: s.c.state.genesisDigest)
            #expect(s.c.apply(entry) == .offlineAttested(requestId: s.request, attempt: s.c.state.signing[s.request]!.attempt, member: n.id.rawValue))
            entries.append(entry)
        }
        return entries
    }

    /// The offline signer's answer to `statement`: fresh nonces, its share over the package with
    /// the online commitments. `key` replaces the vault's offline key (a wrong share).
    func answer(_ s: Setup, _ statement: OfflineAttestation, identity: Curve25519.Signing.PrivateKey? = nil, wrongKey: Bool = false,
                attempt: UInt32? = nil) throws -> OfflineResponse {
        switch s.offline {
        case .ed25519(let key):
            return try answer(Ed25519SHA512.self, statement, wrongKey ? .generate() : key, groupKeyOf: key, identity ?? s.identity, attempt)
        case .taproot(let key):
            return try answer(Secp256k1TaprootSHA256.self, statement, wrongKey ? .generate() : key, groupKeyOf: key, identity ?? s.identity, attempt)
        }
    }

    private func answer<Suite: Ciphersuite>(
        _: Suite.Type, _ statement: OfflineAttestation, _ key: FROST<Suite>.AdditiveKey, groupKeyOf vaultKey: FROST<Suite>.AdditiveKey,
        _ identity: Curve25519.Signing.PrivateKey, _ attempt: UInt32?
    ) throws -> OfflineResponse {
        var commitments: [Identifier<Suite>: FROST<Suite>.SigningCommitments] = [:]
        for signer in statement.signers { commitments[try Identifier<Suite>(UInt64(signer.identifier))] = try .init(serializedBytes: signer.commitment) }
        let tweak = FROSTSigningCheck.tweak(statement.scheme)
        let onlineKey = try Suite.Element(serialized: statement.groupKey) - vaultKey.publicKey
        let nonces = FROST<Suite>.commit(additiveKey: key, context: Array("offline signing test".utf8))
        let mine = nonces.commitments
        let package = FROST<Suite>.SigningPackage(commitments: commitments, message: statement.message, tweak: tweak,
                                                  additive: try .init(commitments: mine, publicKey: key.publicKey))
        let share = try FROST<Suite>.signAdditive(package: package, nonces: nonces, key: key, onlineVerifyingKey: onlineKey,
                                                  expectedMessage: statement.message, expectedTweak: tweak)
        return try OfflineResponse.make(commitments: mine, share: share, identity: identity, genesisDigest: statement.genesisDigest,
                                        vault: statement.vault, scheme: statement.scheme, request: statement.request,
                                        attempt: attempt ?? statement.attempt)
    }

    /// The current attempt's online shares, as the signers make them, combined by its first signer.
    func onlineSignature(_ s: Setup) throws -> FROSTSigningRound.Aggregate {
        let session = s.c.state.signing[s.request]!
        var shares: [NodeID: [UInt8]] = [:]
        for signer in session.signers {
            let out = try FROSTSigningRound.share(s.c.state, request: s.request, me: signer, keyShare: s.keys[signer]!,
                                                  nonces: s.nonces[signer]![session.commitments[signer]!]!,
                                                  signer: OneTimeSigner(database: s.databases[signer]!))
            shares[signer] = out[signer]!.unsafeShare
        }
        return try FROSTSigningRound.aggregate(s.c.state, request: s.request, shares: shares)
    }

    func certified(_ block: Block, _ s: Setup, trust: ClusterConfiguration) -> CertifiedBlock {
        let votes = nodes.prefix(3).map { Vote(signing: block, genesisDigest: trust.genesisDigest, identity: $0.identity) }
        return CertifiedBlock(block: block, certificate: QuorumCertificate(height: block.height, blockHash: block.hash,
                                                                           previousHash: block.previousHash, votes: votes))
    }

    @Test(arguments: [Vault.Scheme.frostEd25519, .frostTaproot])
    func theVaultSignsOnceTheOfflineSignerAnsweredTheAttestedBundle(scheme: Vault.Scheme) throws {
        var s = try setup(scheme)
        let session = try #require(s.c.state.signing[s.request])
        #expect(session.status == .signing && session.signers.count == 3)
        let attempt = try #require(session.offline)
        #expect(attempt.answer == nil && attempt.attestations.isEmpty)
        #expect(session.deadline == session.startedAt + UInt64(SigningTimePolicy.defaultOfflineTimeoutSeconds) * 1000,
                "the attempt waits signing.offline_timeout for the answer")
        // No online share before the answer: the package must include the offline commitments.
        let early = try #require(throws: FROSTSigningRound.Refusal.self) { _ = try onlineSignature(s) }
        #expect(early.reason.contains("waits for the offline signer's answer"))

        let attestations = try attestAll(&s)
        #expect(Set(s.c.state.signing[s.request]!.offline!.attestations.keys) == Set(nodes.map(\.id)))
        // The online side assembles the bundle from certified blocks; the offline signer verifies it.
        let trust = try ClusterConfiguration(name: "offline-test", members: s.c.state.members, genesisTimestamp: 1,
                                             genesisDocument: s.c.genesis.encoded)
        let requestBlock = s.block
        let attestBlock = try Block(height: 14, previousHash: LedgerHash(bytes: [UInt8](repeating: 4, count: 32)), timestamp: s.c.now,
                                    entries: attestations)
        let digest = try #require(s.c.state.signing[s.request]?.offline?.attestations[nodes[0].id]?.statement)
        #expect(digest == Hashes.sha256(try s.c.state.offlineStatement(for: s.request).encoded))
        let bundle = try OfflineBundle.assemble(
            request: s.request, attempt: 0, statement: digest, requestBlock: certified(requestBlock, s, trust: trust),
            attesters: nodes.map { ($0.id, 14) }, blocks: [14: certified(attestBlock, s, trust: trust)], policyYAML: s.c.state.policyYAML)
        #expect(bundle.attestations.count == 4)
        // An attester whose block does not carry its attestation of this statement is named.
        #expect(throws: OfflineBundleError.self) {
            _ = try OfflineBundle.assemble(request: s.request, attempt: 0, statement: digest, requestBlock: certified(requestBlock, s, trust: trust),
                                           attesters: [(nodes[0].id, 12)], blocks: [12: certified(requestBlock, s, trust: trust)],
                                           policyYAML: s.c.state.policyYAML)
        }
        let verified = try OfflineBundle(serialized: bundle.serialized).verify(trust: trust)
        #expect(verified.statement.request == s.request && verified.statement.decidedHeight == 12)

        let response = try answer(s, verified.statement)
        #expect(s.c.apply(try OfflineShareEntry.entry(response)) == .offlineAnswered(requestId: s.request, attempt: 0, valid: true))
        let answered = try #require(s.c.state.signing[s.request])
        #expect(answered.offline?.answer?.share == response.share)
        #expect(answered.deadline == s.c.now + s.c.state.policy.document.signing.afterOfflineAnswerMillis,
                "the online signers have four attempt timeouts (at least 2 minutes) from the answer")
        // The same answer again, or another one: the first counts.
        guard case .refused(let again) = s.c.apply(try OfflineShareEntry.entry(response)) else { Issue.record("a second answer was taken"); return }
        #expect(again.code == .offlineRefused && again.reason.contains("has its offline answer already"))
        // A member's attestation after the answer has nothing to attest.
        let late = try verified.statement.entry(signedBy: nodes[0].identity, genesisDigest: s.c.state.genesisDigest)
        #expect(Cluster.code(s.c.apply(late)) == .ceremonyRefused)

        guard case .signature(let signature) = try onlineSignature(s) else { Issue.record("the shares did not combine"); return }
        let key = try #require(s.c.state.vaults["cold"]?.key)
        #expect(SignatureCheck.verifies(scheme, key: key, message: answered.message, signature: signature))
        if scheme == .frostEd25519 {
            // Independently: CryptoKit's Ed25519 under the vault key Y_on + Y_off.
            #expect(try Curve25519.Signing.PublicKey(rawRepresentation: key.groupKey).isValidSignature(signature, for: answered.message))
        }
        #expect(try ceremony.submit(&s.c, .signature(vault: "cold", epoch: 0, request: s.request, signature: signature),
                                    by: ceremony.node(answered.signers[0])) == .signed(requestId: s.request))
        #expect(s.c.state.signing[s.request]?.status == .signed)
    }

    @Test func aWrongOfflineShareEndsTheAttemptBlamingTheOfflineSigner() throws {
        var s = try setup(.frostEd25519)
        _ = try attestAll(&s)
        let statement = try s.c.state.offlineStatement(for: s.request)
        // Signed by the enrolled identity, but its share is under another key: every node checks
        // the share against Y_off over the package it builds itself.
        let wrong = try answer(s, statement, wrongKey: true)
        #expect(s.c.apply(try OfflineShareEntry.entry(wrong)) == .offlineAnswered(requestId: s.request, attempt: 0, valid: false))
        let next = try #require(s.c.state.signing[s.request])
        #expect(next.attempt == 1)
        let blame = try #require(next.blames.last)
        #expect(blame.attempt == 0 && blame.culprit == nil && blame.reason.contains("offline signer's share for attempt 0 does not verify"))
        #expect(!s.c.state.vaults["cold"]!.excluded.contains { _ in true }, "no member is excluded for the offline signer's share")
        // Its answer to attempt 0 is of no use now: the attempt it answers is over.
        let stale = try answer(s, statement)
        guard case .refused(let error) = s.c.apply(try OfflineShareEntry.entry(stale)) else { Issue.record("a stale answer was taken"); return }
        #expect(error.code == .offlineRefused && error.reason.contains("answers attempt 0, not 1"))
    }

    @Test func anAnswerNotSignedByTheEnrolledIdentityOrForAnotherAttemptIsRefused() throws {
        var s = try setup(.frostTaproot)
        let statement = try s.c.state.offlineStatement(for: s.request)
        let forged = try answer(s, statement, identity: Curve25519.Signing.PrivateKey())
        guard case .refused(let error) = s.c.apply(try OfflineShareEntry.entry(forged)) else { Issue.record("a forged answer was taken"); return }
        // Not the offline signer's: refused as unauthenticated (the gateway does not queue it).
        #expect(error.code == .offlineSignatureRefused)
        let ahead = try answer(s, statement, attempt: 1)
        guard case .refused(let other) = s.c.apply(try OfflineShareEntry.entry(ahead)) else { Issue.record("an answer to attempt 1 was taken"); return }
        #expect(other.reason.contains("answers attempt 1, not 0"))
        // With an authorization beside the response's own signature, the entry is malformed.
        let decorated = try Entry(kind: OfflineShareEntry.kind, payload: try answer(s, statement).serializedBytes, authorization: [1])
        #expect(Cluster.code(s.c.apply(decorated)) == .malformed)
        #expect(s.c.state.signing[s.request]?.offline?.answer == nil)
        // The genuine answer is still taken.
        #expect(s.c.apply(try OfflineShareEntry.entry(try answer(s, statement))) == .offlineAnswered(requestId: s.request, attempt: 0, valid: true))
    }

    @Test func attestationsAreOneMembersOwnStatementOnceAndNoneWhileFrozen() throws {
        var s = try setup(.frostEd25519)
        let statement = try s.c.state.offlineStatement(for: s.request)
        let genesis = s.c.state.genesisDigest
        // A statement that says anything else than this state: refused, nothing recorded.
        let altered = OfflineAttestation(
            genesisDigest: statement.genesisDigest, membersDigest: statement.membersDigest, vault: statement.vault, scheme: statement.scheme,
            epoch: statement.epoch, groupKey: statement.groupKey, offlineKey: statement.offlineKey, offlineIdentity: statement.offlineIdentity,
            request: statement.request, decidedAt: statement.decidedAt, decidedHeight: statement.decidedHeight, requestBlockHash: statement.requestBlockHash, attempt: statement.attempt,
            attemptStartedAt: statement.attemptStartedAt, message: statement.message + [0], signers: statement.signers,
            policyVersion: statement.policyVersion, policyDigest: statement.policyDigest, outcome: statement.outcome, rules: statement.rules,
            approvers: statement.approvers, frozen: false, signed: false)
        guard case .refused(let differs) = s.c.apply(try altered.entry(signedBy: nodes[0].identity, genesisDigest: genesis)) else {
            Issue.record("an altered statement was attested"); return
        }
        #expect(differs.reason.contains("differs from this node's state"))
        // Signed by a key that is no member's.
        let stranger = NodeIdentity.generate(id: "node-9")
        #expect(Cluster.code(s.c.apply(try statement.entry(signedBy: stranger, genesisDigest: genesis))) != nil)
        #expect(s.c.state.signing[s.request]?.offline?.attestations.isEmpty == true)
        // Once per member and attempt.
        #expect(s.c.apply(try statement.entry(signedBy: nodes[1].identity, genesisDigest: genesis))
                == .offlineAttested(requestId: s.request, attempt: 0, member: nodes[1].id.rawValue))
        guard case .refused(let twice) = s.c.apply(try statement.entry(signedBy: nodes[1].identity, genesisDigest: genesis)) else {
            Issue.record("a member attested twice"); return
        }
        #expect(twice.reason.contains("already"))
        // Frozen: no node states the attempt may be signed, nor takes an attestation or answer.
        _ = try s.c.propose(.freeze, by: "heidi")
        #expect(s.c.state.frozen)
        #expect(throws: GovernanceError.self) { _ = try s.c.state.offlineStatement(for: s.request) }
        #expect(Cluster.code(s.c.apply(try statement.entry(signedBy: nodes[2].identity, genesisDigest: genesis))) == .ceremonyRefused)
        guard case .refused(let frozen) = s.c.apply(try OfflineShareEntry.entry(try answer(s, statement))) else {
            Issue.record("an answer was taken while frozen"); return
        }
        #expect(frozen.reason == "signing is frozen")
    }

    @Test func anUnansweredAttemptMovesOnAtTheOfflineTimeout() throws {
        var s = try setup(.frostEd25519, policyYAML: Self.policy.replacing("rules:\n", with: "signing: {attempt_timeout: 20s, offline_timeout: 2m}\nrules:\n"))
        let firstAttestations = try attestAll(&s)
        let first = try #require(s.c.state.signing[s.request])
        #expect(first.deadline == first.startedAt + 120_000)
        s.c.state.advance(to: first.deadline - 1)
        #expect(s.c.state.signing[s.request]?.attempt == 0)
        // The nodes publish more nonces meanwhile, so the next attempt can take a signer set.
        for n in nodes {
            let made = try FROSTSigningRound.nonces(.frostEd25519, keyShare: s.keys[n.id]!)
            s.nonces[n.id, default: [:]][made.commitment] = made.sealed
            try ceremony.submit(&s.c, .nonces(vault: "cold", epoch: 0, batch: 1, commitments: [made.commitment]), by: n)
        }
        s.c.state.advance(to: first.deadline)
        let second = try #require(s.c.state.signing[s.request])
        #expect(second.attempt == 1 && second.status == .signing && second.offline?.attestations.isEmpty == true && second.blames.isEmpty)
        // An attestation of the first attempt is refused; the second attempt is attested anew.
        #expect(Cluster.code(s.c.apply(firstAttestations[0])) == .ceremonyRefused)
        #expect(try s.c.state.offlineStatement(for: s.request).attempt == 1)
        _ = try attestAll(&s)
        #expect(s.c.state.signing[s.request]?.offline?.attestations.count == 4)
    }
}

extension OfflineSigningTests {
    /// A policy adopted while the attempt waits changes the statement: attestations of the old one
    /// stay recorded with its digest, each member attests the new one once more, and a quorum on
    /// the new statement can form (review helper-142 M3).
    @Test func aMemberAttestsAgainAfterThePolicyChanged() throws {
        var s = try setup(.frostEd25519)
        _ = try attestAll(&s)
        let before = try s.c.state.offlineStatement(for: s.request)
        let old = Hashes.sha256(before.encoded)
        try s.c.govern(.changePolicy(yaml: Self.policy.replacing("version: 1\n", with: "version: 2\n")))
        let after = try s.c.state.offlineStatement(for: s.request)
        #expect(after.policyVersion != before.policyVersion)
        let new = Hashes.sha256(after.encoded)
        #expect(s.c.state.signing[s.request]!.offline!.attestations.values.allSatisfy { $0.statement == old })
        // The old statement is refused now; the new one is taken from a member that attested the old.
        #expect(Cluster.code(s.c.apply(try before.entry(signedBy: nodes[0].identity, genesisDigest: s.c.state.genesisDigest))) == .ceremonyRefused)
        for n in nodes.prefix(3) {
            #expect(s.c.apply(try after.entry(signedBy: n.identity, genesisDigest: s.c.state.genesisDigest))
                    == .offlineAttested(requestId: s.request, attempt: 0, member: n.id.rawValue))
        }
        let recorded = s.c.state.signing[s.request]!.offline!.attestations
        #expect(recorded.values.filter { $0.statement == new }.count == 3 && recorded[nodes[3].id]?.statement == old)
        // Once on the new statement too.
        #expect(Cluster.code(s.c.apply(try after.entry(signedBy: nodes[0].identity, genesisDigest: s.c.state.genesisDigest))) == .ceremonyRefused)
    }
}

extension OfflineSigningTests {
    /// A request dropped from the request book (10,000 newer ones) can no longer be attested: its
    /// next attempt does not start, and the session fails at once instead of running up to eight
    /// offline timeouts (review helper-142 L3).
    @Test func aRequestDroppedFromTheBookFailsInsteadOfWaitingForTheOfflineSigner() throws {
        var s = try setup(.frostEd25519, policyYAML: Self.policy.replacing(
            "match: {message: {format: [raw, bip340]}}", with: "match: {initiator: {roles: [trading-bot]}, message: {format: [raw, bip340]}}"))
        let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try s.c.registerBot("noise-bot", key: bot.publicKey, roles: ["noise"])
        // Denied (no rule lets noise-bot sign): recorded, never signed.
        for i in 0..<RequestBook.maximumRecordedRequests {
            let body = MessageRequestTests.body(MessageRequestTests.hex("raw", "0x" + withUnsafeBytes(of: UInt32(i).bigEndian) { Array($0) }.hexString), initiator: "noise-bot", vault: "cold")
            _ = s.c.apply(try RequestEntry.submit(s.c.signed(body, keyId: "noise-bot", key: bot)))
        }
        #expect(s.c.state.requestBook.requests[s.request] == nil, "the request was dropped")
        let first = try #require(s.c.state.signing[s.request])
        s.c.state.advance(to: first.deadline)
        let failed = try #require(s.c.state.signing[s.request])
        #expect(failed.status == .failed && failed.failure?.contains("no longer in the request book") == true, "\(failed.failure ?? "")")
    }
}
