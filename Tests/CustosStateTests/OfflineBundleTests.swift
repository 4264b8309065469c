import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosSigning
@testable import CustosState
import Testing

/// An offline signer's check of a bundle (`OfflineBundle.verify(trust:)`): a genuine bundle —
/// a certified block with the request entry, a quorum of members attesting one statement, the
/// attested policy text — verifies; every part an attacker on the online side could forge is
/// refused, naming what is wrong.
@Suite struct OfflineBundleTests {
    let ceremony = VaultCeremonyTests()
    var nodes: [VaultCeremonyTests.Node] { ceremony.nodes }

    static let policy = Cluster.policy().replacing("rules:\n", with: """
        rules:
          - name: raw-messages
            match: {message: {format: [raw]}}
            outcome: allow

        """)

    struct Setup {
        var c: Cluster
        let trust: ClusterConfiguration
        let entry: Entry
        let block: Block
        let statement: OfflineAttestation
        let request: String
    }

    /// A cluster with a frost-ed25519 vault, an allowed raw-message request in its signing
    /// attempt, the block that committed it and the statement its nodes would attest.
    func setup() throws -> Setup {
        var c = try ceremony.cluster(policyYAML: Self.policy)
        let keys = try ceremony.generate(&c, "hot", .frostEd25519)
        let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("risk-bot", key: bot.publicKey)
        let entry = try RequestEntry.submit(c.signed(MessageRequestTests.body(MessageRequestTests.hex("raw", "0x0102"), vault: "hot"),
                                                     keyId: "risk-bot", key: bot))
        let decided = try #require(Cluster.decided(c.apply(entry)))
        #expect(decided.outcome == .allow)
        let decidedAt = c.now
        for n in nodes {
            let made = try FROSTSigningRound.nonces(.frostEd25519, keyShare: keys[n.id]!)
            _ = try ceremony.submit(&c, .nonces(vault: "hot", epoch: 0, batch: 0, commitments: [made.commitment]), by: n)
        }
        let session = try #require(c.state.signing[decided.id])
        #expect(session.status == .signing)
        let vault = try #require(c.state.vaults["hot"])
        let trust = try ClusterConfiguration(name: "offline-test", members: c.state.members, genesisTimestamp: 1,
                                             genesisDocument: c.genesis.encoded)
        let block = try Block(height: 12, previousHash: LedgerHash(bytes: [UInt8](repeating: 3, count: 32)), timestamp: decidedAt,
                              entries: [entry])
        let statement = OfflineAttestation(
            genesisDigest: c.state.genesisDigest, membersDigest: OfflineAttestation.membersDigest(of: c.state.members), vault: "hot",
            scheme: .frostEd25519, epoch: 0, groupKey: vault.key!.groupKey, offlineKey: [UInt8](repeating: 9, count: 32),
            offlineIdentity: [UInt8](repeating: 7, count: 32), request: decided.id, decidedAt: decidedAt, decidedHeight: 12, requestBlockHash: block.hash.bytes, attempt: session.attempt,
            attemptStartedAt: session.startedAt, message: session.message,
            signers: session.signers.map { .init(node: $0, identifier: UInt32(vault.identifier(of: $0)!), commitment: session.commitments[$0]!) },
            policyVersion: UInt64(c.state.policyVersion), policyDigest: ReplicatedState.policyDigest(of: c.state.policyYAML),
            outcome: .allowed, rules: ["raw-messages"], approvers: [], frozen: false, signed: false)
        return Setup(c: c, trust: trust, entry: entry, block: block, statement: statement, request: decided.id)
    }

    func certificate(_ s: Setup, for block: Block? = nil, by voters: [NodeIdentity]? = nil) -> QuorumCertificate {
        let block = block ?? s.block
        let votes = (voters ?? nodes.prefix(3).map(\.identity)).map { Vote(signing: block, genesisDigest: s.trust.genesisDigest, identity: $0) }
        return QuorumCertificate(height: block.height, blockHash: block.hash, previousHash: block.previousHash, votes: votes)
    }

    func attestations(_ s: Setup, _ statement: OfflineAttestation? = nil, by signers: [NodeIdentity]? = nil) throws -> [Entry] {
        try (signers ?? nodes.prefix(3).map(\.identity)).map {
            try (statement ?? s.statement).entry(signedBy: $0, genesisDigest: s.c.state.genesisDigest)
        }
    }

    func bundle(_ s: Setup, block: Block? = nil, certificate: QuorumCertificate? = nil, index: Int = 0, attestations: [Entry]? = nil,
                policy: String? = nil) throws -> OfflineBundle {
        OfflineBundle(block: block ?? s.block, certificate: certificate ?? self.certificate(s, for: block), requestIndex: index,
                      attestations: try attestations ?? self.attestations(s), policyYAML: policy ?? s.c.state.policyYAML)
    }

    /// The code `bundle` is refused with after a round trip through its bytes, and the reason.
    func refusal(_ s: Setup, _ bundle: OfflineBundle, trust: ClusterConfiguration? = nil) -> OfflineBundleError? {
        do {
            _ = try OfflineBundle(serialized: bundle.serialized).verify(trust: trust ?? s.trust)
            return nil
        } catch { return error }
    }

    @Test func aGenuineBundleVerifiesAndSaysWhatToSign() throws {
        let s = try setup()
        let bytes = try bundle(s).serialized
        let verified = try OfflineBundle(serialized: bytes).verify(trust: s.trust)
        #expect(verified.message == [0x01, 0x02])
        #expect(verified.statement == s.statement)
        #expect(verified.attesters == nodes.prefix(3).map(\.id))
        #expect(verified.decision.outcome == .allow && verified.explanation.contains("raw-messages"))
        #expect(verified.request.vault == "hot" && verified.request.initiator == "risk-bot")
        #expect(verified.commitments.count == 3 && verified.attempt == 0 && verified.height == 12)
        // All four attesting is as good as three.
        _ = try bundle(s, attestations: try attestations(s, by: nodes.map(\.identity))).verify(trust: s.trust)
    }

    @Test func aForgedCertificateIsRefused() throws {
        let s = try setup()
        // A vote signed by a key that is not the member's (same name, another key).
        let impostor = NodeIdentity.generate(id: nodes[2].id)
        let forged = refusal(s, try bundle(s, certificate: certificate(s, by: [nodes[0].identity, nodes[1].identity, impostor])))
        #expect(forged?.code == .certificate && forged?.reason.contains("node-3") == true && forged?.reason.contains("does not verify") == true)
        // A vote by a node the offline signer does not know.
        let outsider = NodeIdentity.generate(id: NodeID("node-9"))
        let unknown = refusal(s, try bundle(s, certificate: certificate(s, by: [nodes[0].identity, nodes[1].identity, outsider])))
        #expect(unknown?.code == .certificate && unknown?.reason.contains("run `custos offline update-cluster`") == true)
        // Too few votes.
        let few = refusal(s, try bundle(s, certificate: certificate(s, by: nodes.prefix(2).map(\.identity))))
        #expect(few?.code == .certificate && few?.reason.contains("3 needed") == true)
        // Votes for another block at the same height.
        let other = try Block(height: 12, previousHash: s.block.previousHash, timestamp: s.block.timestamp + 1, entries: [s.entry])
        let moved = refusal(s, try bundle(s, certificate: certificate(s, for: other)))
        #expect(moved?.code == .certificate && moved?.reason.contains("does not certify") == true)
        // Another cluster's trust: no vote counts.
        let foreign = try ClusterConfiguration(name: "another", members: s.c.state.members, genesisTimestamp: 1, genesisDocument: s.c.genesis.encoded)
        #expect(refusal(s, try bundle(s), trust: foreign)?.code == .certificate)
    }

    @Test func aForgedOrMissingAttestationQuorumIsRefused() throws {
        let s = try setup()
        let two = refusal(s, try bundle(s, attestations: try attestations(s, by: nodes.prefix(2).map(\.identity))))
        #expect(two?.code == .quorum && two?.reason.contains("2 members attest the same statement; 3 of 4") == true)
        #expect(refusal(s, try bundle(s, attestations: []))?.code == .quorum)
        // The same member twice is one attester.
        let twice = try attestations(s, by: [nodes[0].identity, nodes[1].identity, nodes[1].identity])
        #expect(refusal(s, try bundle(s, attestations: twice))?.reason.contains("node-2 attests twice") == true)
        // Another member's key under a member's name.
        let impostor = NodeIdentity.generate(id: nodes[2].id)
        let forged = refusal(s, try bundle(s, attestations: try attestations(s, by: [nodes[0].identity, nodes[1].identity, impostor])))
        #expect(forged?.code == .attestation && forged?.reason.contains("does not verify") == true)
        // A statement that differs from the others (another attempt) does not count toward theirs.
        let next = try statement(s) { $0.attempt = 1 }
        let mixed = try attestations(s, by: nodes.prefix(2).map(\.identity)) + attestations(s, next, by: [nodes[2].identity])
        #expect(refusal(s, try bundle(s, attestations: mixed))?.reason.contains("2 members attest the same statement; 3 of 4") == true)
        // Nor does a corrupt member's different statement spoil a quorum's (review helper-142 M2).
        let spoiled = try attestations(s, by: nodes.prefix(3).map(\.identity)) + attestations(s, next, by: [nodes[3].identity])
        let kept = try bundle(s, attestations: spoiled).verify(trust: s.trust)
        #expect(kept.statement == s.statement && kept.attesters.count == 3)
        // Signed for another cluster's governed state.
        let elsewhere = try nodes.prefix(3).map { try s.statement.entry(signedBy: $0.identity, genesisDigest: Hashes.sha256([1])) }
        #expect(refusal(s, try bundle(s, attestations: elsewhere))?.code == .attestation)
        // Another kind of entry in an attestation's place.
        let receipt = try MemberSignature.entry(kind: "vault.sign.signature", payload: s.statement.encoded, signedBy: nodes[0].identity,
                                                genesisDigest: s.c.state.genesisDigest)
        #expect(refusal(s, try bundle(s, attestations: [receipt] + attestations(s)))?.code == .attestation)
    }

    @Test func statementsOfAnotherGenesisMemberSetOrDecisionAreRefused() throws {
        let s = try setup()
        func refused(_ change: (inout Fields) -> Void) throws -> OfflineBundleError? {
            refusal(s, try bundle(s, attestations: try attestations(s, try statement(s, change))))
        }
        #expect(try refused { $0.genesis = Hashes.sha256([2]) }?.code == .genesis)
        // A digest that is not 32 bytes does not decode.
        #expect(try refused { $0.genesis = Array(s.statement.genesisDigest.dropLast()) }?.reason.contains("32 bytes") == true)
        let members = try refused { $0.members = OfflineAttestation.membersDigest(of: Array(s.c.state.members.prefix(3))) }
        // The advice keeps the vault keys: follow the change, never set the signer up again.
        #expect(members?.code == .members && members?.reason.contains("run `custos offline update-cluster`") == true)
        #expect(try refused { $0.request = String(repeating: "a", count: 64) }?.code == .request)
        #expect(try refused { $0.decidedAt += 1 }?.code == .request)
        // The statement names another block at that height (a fork the members never committed).
        #expect(try refused { $0.blockHash = Hashes.sha256([9]) }?.reason.contains("name another block at height 12") == true)
        // The same request id and time at another height: the statement is of another entry.
        #expect(try refused { $0.decidedHeight += 1 }?.reason.contains("decided at height 13, not in block 12") == true)
        #expect(try refused { $0.frozen = true }?.reason == "signing is frozen")
        #expect(try refused { $0.signed = true }?.code == .decision)
        #expect(try refused { $0.outcome = .approved }?.reason.contains("name no approver") == true)
        let message = try refused { $0.message = [0x01, 0x03] }
        #expect(message?.code == .message)
    }

    @Test func aPolicyTextThatIsNotTheAttestedOneIsRefused() throws {
        let s = try setup()
        let changed = refusal(s, try bundle(s, policy: s.c.state.policyYAML + "\n# one more line\n"))
        #expect(changed?.code == .policy && changed?.reason.contains("not the one the members attest") == true)
        // An attested policy that denies the request here, or asks approvals the statement does not count.
        let denying = Cluster.policy()
        let denied = refusal(s, try bundle(s, attestations: try attestations(s, try statement(s) { $0.policy = denying }), policy: denying))
        #expect(denied?.code == .decision && denied?.reason.contains("denies") == true)
        // The offline signer holds the policy text, not the people registry: the group's people
        // are the ones the text names.
        let people = "  frank: {kind: person, roles: [admin]}\n  grace: {kind: person, roles: [admin]}"
        let requiring = Self.policy.replacing("rules:\n", with: "rules:\n  - name: raw-needs-two\n    match: {message: {format: [raw]}}\n    outcome: {require: {group: admins, count: 2}}\n")
            .replacing("trading-bot]}\n", with: "trading-bot]}\n\(people)\n")
        let asks = refusal(s, try bundle(s, attestations: try attestations(s, try statement(s) { $0.policy = requiring }), policy: requiring))
        #expect(asks?.code == .decision && asks?.reason.contains("asks approvals") == true)
        // Counted as approved by the members, the same policy lets it be signed.
        let approved = try statement(s) { $0.policy = requiring; $0.outcome = .approved; $0.approvers = ["frank", "grace"] }
        _ = try bundle(s, attestations: try attestations(s, approved), policy: requiring).verify(trust: s.trust)
        // A rule that reads a rolling window fails closed offline: the totals are not in the bundle.
        let windowed = Self.policy.replacing("rules:\n", with: "limits:\n  msg-hourly: {per: initiator, window: 1h, max_count: 5}\nrules:\n")
            .replacing("match: {message: {format: [raw]}}", with: "match: {message: {format: [raw]}, within: [msg-hourly]}")
        let blind = refusal(s, try bundle(s, attestations: try attestations(s, try statement(s) { $0.policy = windowed }), policy: windowed))
        #expect(blind?.code == .decision && blind?.reason.contains("rolling windows here (msg-hourly)") == true, "\(String(describing: blind))")
        // Fewer approvers than the rule asks, or the initiator among them, is no approval.
        for approvers in [["frank"], ["frank", "risk-bot"]] {
            let short = try statement(s) { $0.policy = requiring; $0.outcome = .approved; $0.approvers = approvers }
            let refused = refusal(s, try bundle(s, attestations: try attestations(s, short), policy: requiring))
            #expect(refused?.code == .decision && refused?.reason.contains("the policy asks 2 people other than the initiator") == true, "\(approvers)")
        }
    }

    @Test func aRequestEntryNotInTheCertifiedBlockIsRefused() throws {
        let s = try setup()
        let outside = refusal(s, try bundle(s, index: 1))
        #expect(outside?.code == .request && outside?.reason.contains("has 1 entries") == true)
        // Another request, certified, in the place of the attested one.
        var c = s.c
        let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        let other = try RequestEntry.submit(c.signed(MessageRequestTests.body(MessageRequestTests.hex("raw", "0x0102"), vault: "hot"),
                                                     keyId: "risk-bot", key: bot))
        let block = try Block(height: 12, previousHash: s.block.previousHash, timestamp: s.block.timestamp, entries: [other])
        let swapped = refusal(s, try bundle(s, block: block))
        #expect(swapped?.code == .request && swapped?.reason.contains("the attestations are of request") == true)
        // An attestation in the request's place.
        let attested = try Block(height: 12, previousHash: s.block.previousHash, timestamp: s.block.timestamp,
                                 entries: [try attestations(s)[0], s.entry])
        #expect(refusal(s, try bundle(s, block: attested, index: 0))?.reason.contains("not a request") == true)
        // The request at its right index, but in another block than the one the members attest.
        #expect(refusal(s, try bundle(s, block: attested, index: 1))?.reason.contains("name another block at height 12") == true)
    }

    @Test func aTruncatedOrPaddedBundleIsRefused() throws {
        let s = try setup()
        let bytes = try bundle(s).serialized
        for cut in [1, 10, bytes.count / 2, bytes.count - 1] {
            #expect(throws: OfflineBundleError(.malformedEncoding, "")) { _ = try OfflineBundle(serialized: Array(bytes.prefix(cut))) }
        }
        let trailing = try #require(throws: OfflineBundleError.self) { _ = try OfflineBundle(serialized: bytes + [0]) }
        #expect(trailing.reason.contains("trailing"))
        #expect(throws: OfflineBundleError(.encodingLimitExceeded, "")) {
            _ = try OfflineBundle(serialized: [UInt8](repeating: 0, count: OfflineBundle.maximumBytes + 1))
        }
        #expect(throws: OfflineBundleError(.malformedEncoding, "")) { _ = try OfflineBundle(serialized: s.statement.encoded) }
    }

    // MARK: Statements with one field changed

    struct Fields {
        var genesis: [UInt8], members: [UInt8], request: String, decidedAt: UInt64, decidedHeight: UInt64, blockHash: [UInt8], attempt: UInt32
        var message: [UInt8]
        var policy: String, outcome: OfflineAttestation.Outcome, approvers: [String], frozen: Bool, signed: Bool
    }

    func statement(_ s: Setup, _ change: (inout Fields) -> Void) throws -> OfflineAttestation {
        let a = s.statement
        var f = Fields(genesis: a.genesisDigest, members: a.membersDigest, request: a.request, decidedAt: a.decidedAt,
                       decidedHeight: a.decidedHeight, blockHash: a.requestBlockHash, attempt: a.attempt, message: a.message, policy: s.c.state.policyYAML, outcome: a.outcome, approvers: a.approvers, frozen: a.frozen,
                       signed: a.signed)
        change(&f)
        return OfflineAttestation(
            genesisDigest: f.genesis, membersDigest: f.members, vault: a.vault, scheme: a.scheme, epoch: a.epoch, groupKey: a.groupKey,
            offlineKey: a.offlineKey, offlineIdentity: a.offlineIdentity, request: f.request, decidedAt: f.decidedAt, decidedHeight: f.decidedHeight, requestBlockHash: f.blockHash, attempt: f.attempt,
            attemptStartedAt: a.attemptStartedAt, message: f.message, signers: a.signers, policyVersion: a.policyVersion,
            policyDigest: ReplicatedState.policyDigest(of: f.policy), outcome: f.outcome, rules: a.rules, approvers: f.approvers,
            frozen: f.frozen, signed: f.signed)
    }
}
