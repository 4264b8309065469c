import Crypto
import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosSigning
import CustosPolicy
import CustosState
import Testing

/// Vault key generation as the log records and checks it: the governed `create-vault` starts a
/// DKG among the voting members, each node commits its round-1 package and later its
/// confirmation (signed with its identity key), the secret shares travel in signed, encrypted
/// envelopes, and the vault becomes active only when every participant confirmed the key the
/// log's packages make. Every way a node can cheat — a proof from another ceremony, a bad share,
/// a false accusation, a share meant for someone else shown as evidence, a confirmation of
/// another key — ends the ceremony with the culprit named, and silence past the deadline ends
/// it without blame.
@Suite struct VaultCeremonyTests {
    /// A node as the tests run it: identity and transport keys.
    struct Node {
        let identity: NodeIdentity
        var transport: Curve25519.KeyAgreement.PrivateKey { identity.transportKey }
        var id: NodeID { identity.id }
    }

    let nodes: [Node] = (1...4).map { Node(identity: .generate(id: try! NodeID("node-\($0)"))) }

    func cluster(policyYAML: String = Cluster.policy()) throws -> Cluster {
        var c = try Cluster(policyYAML: policyYAML)
        c.state = try ReplicatedState(genesis: c.genesis, members: nodes.map { try $0.identity.member() })
        return c
    }

    func node(_ id: NodeID) -> Node { nodes.first { $0.id == id }! }

    /// Proposes `create-vault` and has the quorum approve it.
    func create(_ c: inout Cluster, _ id: String, _ scheme: Vault.Scheme) throws {
        let (p, _) = try c.propose(.createVault(id: id, label: "Treasury \(id)", scheme: scheme, environment: .development), by: "erin")
        try c.approve(p, by: "frank")
        try c.approve(p, by: "grace")
        #expect(c.status(p) == .executed)
        #expect(c.state.vaults[id]?.status == .generating)
    }

    @discardableResult
    func submit(_ c: inout Cluster, _ entry: VaultEntry, by node: Node) throws -> GovernanceOutcome {
        c.apply(try entry.entry(signedBy: node.identity, genesisDigest: c.state.genesisDigest))
    }

    /// Every node commits its round-1 package; returns the parties.
    func commitAll(_ c: inout Cluster, _ vault: String) throws -> [NodeID: KeyGenerationParty] {
        var parties: [NodeID: KeyGenerationParty] = [:]
        for n in participants(c, vault) {
            let party = try KeyGenerationParty(vault: c.state.vaults[vault]!, me: n.id, genesisDigest: c.state.genesisDigest)
            parties[n.id] = party
            #expect(try submit(&c, party.commitEntry, by: n) == .vault(id: vault, status: .generating))
        }
        return parties
    }

    /// The nodes taking part in `vault`'s current ceremony.
    func participants(_ c: Cluster, _ vault: String) -> [Node] { c.state.vaults[vault]!.ceremony.participants.map(node) }

    func round1(_ c: Cluster, _ vault: String) -> [NodeID: [UInt8]] { c.state.vaults[vault]!.ceremony.commitments.mapValues(\.package) }

    /// Seals a share message from `sender` to `recipient` as the relay carries it.
    func seal(_ message: VaultShareMessage, from sender: Node, to recipient: Node, _ c: Cluster, _ vault: String) throws -> [UInt8] {
        let session = c.state.vaults[vault]!.ceremony.sessionID(genesisDigest: c.state.genesisDigest, vault: vault)
        let header = try SignedEnvelope.Header(sessionID: session, round: VaultEntry.shareRound, sender: sender.identity.publicKeyBytes,
                                               recipient: Array(recipient.transport.publicKey.rawRepresentation))
        return try sender.identity.seal(message.encoded, header: header)
    }

    func open(_ bytes: [UInt8], at recipient: Node) throws -> SignedEnvelope.Evidence {
        try SignedEnvelope.open(bytes, recipient: recipient.transport) { key in nodes.contains { $0.identity.publicKeyBytes == key } }
    }

    /// Runs round 2 with every share honest except those `tamper` changes; returns every
    /// node's inbox as opened evidence, by sender.
    func exchange(
        _ c: Cluster, _ vault: String, _ parties: inout [NodeID: KeyGenerationParty],
        tamper: (NodeID, NodeID, VaultShareMessage) -> VaultShareMessage = { _, _, m in m }
    ) throws -> [NodeID: [NodeID: SignedEnvelope.Evidence]] {
        var inbox: [NodeID: [NodeID: SignedEnvelope.Evidence]] = [:]
        for n in participants(c, vault) {
            for (to, message) in try parties[n.id]!.shares(for: round1(c, vault)) {
                let sealed = try seal(tamper(n.id, to, message), from: n, to: node(to), c, vault)
                inbox[to, default: [:]][n.id] = try open(sealed, at: node(to))
            }
        }
        return inbox
    }

    func messages(_ evidence: [NodeID: SignedEnvelope.Evidence]) throws -> [NodeID: VaultShareMessage] {
        try evidence.mapValues { try VaultShareMessage(encoded: $0.plaintext) }
    }

    /// The whole honest ceremony; returns every node's sealed key share.
    func generate(_ c: inout Cluster, _ vault: String, _ scheme: Vault.Scheme) throws -> [NodeID: SecretBytes] {
        try create(&c, vault, scheme)
        return try keyGeneration(&c, vault)
    }

    /// The honest ceremony of a vault whose creation executed; returns every node's sealed key share.
    func keyGeneration(_ c: inout Cluster, _ vault: String) throws -> [NodeID: SecretBytes] {
        var parties = try commitAll(&c, vault)
        let inbox = try exchange(c, vault, &parties)
        var keys: [NodeID: SecretBytes] = [:]
        for n in participants(c, vault) {
            guard case .confirm(let entry, let key) = try parties[n.id]!.finish(
                round1: round1(c, vault), shares: try messages(inbox[n.id]!), softwareVersion: "custos-test 1")
            else { Issue.record("\(n.id) did not confirm"); continue }
            keys[n.id] = key
            try submit(&c, entry, by: n)
        }
        return keys
    }

    @Test(arguments: Vault.Scheme.allCases)
    func theNodesGenerateAVaultKeyAndItSigns(scheme: Vault.Scheme) throws {
        var c = try cluster()
        let keys = try generate(&c, "hot", scheme)
        let vault = try #require(c.state.vaults["hot"])
        #expect(vault.status == .active)
        #expect(vault.ceremony.minSigners == (scheme == .ecdsaSecp256k1 ? 2 : 3))
        #expect(vault.ceremony.confirmations.values.allSatisfy { $0.softwareVersion == "custos-test 1" })
        let key = try #require(vault.key)
        #expect(key.chainCode.count == 32)
        // Three of the four shares sign under the group key the log recorded.
        let message = Array("custos vault test".utf8)
        switch scheme {
        case .frostEd25519:
            let pub = try PublicKeyPackage<Ed25519SHA512>(serializedBytes: key.publicKeyPackage)
            let signers = try nodes.prefix(3).map { try KeyPackage<Ed25519SHA512>(sealedRepresentation: keys[$0.id]!) }
            let signature = try LocalCeremony<Ed25519SHA512>.sign(message: message, signers: signers, publicKeyPackage: pub)
            let verifier = try Curve25519.Signing.PublicKey(rawRepresentation: key.groupKey)
            #expect(verifier.isValidSignature(try signature.serializedBytes, for: message))
        case .frostTaproot:
            let pub = try PublicKeyPackage<Secp256k1TaprootSHA256>(serializedBytes: key.publicKeyPackage)
            let signers = try nodes.prefix(3).map { try KeyPackage<Secp256k1TaprootSHA256>(sealedRepresentation: keys[$0.id]!) }
            let signature = try LocalCeremony<Secp256k1TaprootSHA256>.sign(message: message, signers: signers, publicKeyPackage: pub)
            #expect(try pub.verifyingKey.serialized() == key.groupKey)
            #expect(Secp256k1TaprootSHA256.isValidSignature(commitment: signature.commitment, z: signature.z, message: message,
                                                             key: pub.verifyingKey))
        case .ecdsaSecp256k1:
            let pub = try PublicKeyPackage<Secp256k1SHA256>(serializedBytes: key.publicKeyPackage)
            var shares: [ThresholdECDSA.ID: ThresholdECDSA.KeyShare] = [:]
            for n in nodes {
                let kp = try KeyPackage<Secp256k1SHA256>(sealedRepresentation: keys[n.id]!)
                shares[kp.identifier] = try ThresholdECDSA.KeyShare(keyPackage: kp, publicKeyPackage: pub, chainCode: key.chainCode)
            }
            #expect(shares.count == 4, "every share belongs to the public key package the log recorded")
        }
    }

    @Test func twoStatesThatApplyTheSameCeremonyAgreeAndTheTranscriptIsKept() throws {
        var c = try cluster()
        let before = c.state
        _ = try generate(&c, "cold", .frostEd25519)
        let vault = c.state.vaults["cold"]!
        #expect(vault.ceremony.participants == nodes.map(\.id))
        #expect(vault.ceremony.commitments.count == 4 && vault.ceremony.confirmations.count == 4)
        #expect(vault.key?.activatedAt == vault.ceremony.confirmations.values.map(\.at).max())
        #expect(c.state.digest != before.digest)
        // Replaying the confirmation changes nothing but the refusals.
        let again = c.state.vaults["cold"]!.ceremony.confirmations[nodes[0].id]!
        let outcome = try submit(&c, .confirm(vault: "cold", epoch: 0, groupKey: again.groupKey, transcriptDigest: again.transcriptDigest,
                                              softwareVersion: "x", chainCodeReveal: again.chainCodeReveal), by: nodes[0])
        #expect(Cluster.code(outcome) == .ceremonyRefused)
    }

    @Test func aProofOfKnowledgeFromAnotherCeremonyFailsItAndNamesTheSender() throws {
        var c = try cluster()
        try create(&c, "hot", .frostTaproot)
        try create(&c, "other", .frostTaproot)
        // node-2 replays the package it made for "other" into "hot".
        let foreign = try KeyGenerationParty(vault: c.state.vaults["other"]!, me: nodes[1].id, genesisDigest: c.state.genesisDigest)
        guard case .commit(_, _, let package, let commitment) = foreign.commitEntry else { Issue.record("not a commit"); return }
        #expect(try submit(&c, .commit(vault: "hot", epoch: 0, package: package, chainCodeCommitment: commitment), by: nodes[1])
            == .vault(id: "hot", status: .failed))
        let failure = try #require(c.state.vaults["hot"]?.failure)
        #expect(failure.culprits == [nodes[1].id])
        #expect(c.state.vaults["hot"]?.key == nil)
        // Nothing more is accepted for the failed ceremony.
        let late = try KeyGenerationParty(vault: c.state.vaults["other"]!, me: nodes[0].id, genesisDigest: c.state.genesisDigest)
        guard case .commit(_, _, let p0, let c0) = late.commitEntry else { return }
        #expect(Cluster.code(try submit(&c, .commit(vault: "hot", epoch: 0, package: p0, chainCodeCommitment: c0), by: nodes[0]))
            == .ceremonyRefused)
    }

    @Test func aBadShareShownAsSignedEvidenceNamesItsSender() throws {
        var c = try cluster()
        try create(&c, "hot", .ecdsaSecp256k1)
        var parties = try commitAll(&c, "hot")
        // node-3 sends node-1 node-1's share plus one: it does not match node-3's commitments.
        let inbox = try exchange(c, "hot", &parties) { from, to, m in
            guard from == nodes[2].id, to == nodes[0].id else { return m }
            var share = m.unsafeShare
            share[share.count - 1] ^= 1
            return VaultShareMessage(vault: m.vault, epoch: m.epoch, recipient: m.recipient, unsafeShare: share)
        }
        let outcome = try parties[nodes[0].id]!.finish(round1: round1(c, "hot"), shares: messages(inbox[nodes[0].id]!), softwareVersion: "t")
        guard case .badShare(let culprit) = outcome else { Issue.record("the bad share was not found"); return }
        #expect(culprit == nodes[2].id)
        let complaint = VaultEntry.complain(vault: "hot", epoch: 0, accused: culprit, evidence: inbox[nodes[0].id]![culprit]!)
        #expect(try submit(&c, complaint, by: nodes[0]) == .vault(id: "hot", status: .failed))
        #expect(c.state.vaults["hot"]?.failure?.culprits == [nodes[2].id])
        // Created again, the vault leaves the culprit out; the three others generate the key with
        // the threshold the cluster's size asks for.
        try create(&c, "hot", .ecdsaSecp256k1)
        let again = try #require(c.state.vaults["hot"])
        #expect(again.epoch == 1 && again.excluded == [nodes[2].id] && !again.ceremony.participants.contains(nodes[2].id))
        #expect(again.ceremony.minSigners == 2)
        var retry = try commitAll(&c, "hot")
        #expect(Cluster.code(try submit(&c, .commit(vault: "hot", epoch: 1, package: [1], chainCodeCommitment: Array(repeating: 0, count: 32)),
                                        by: nodes[2])) == .ceremonyRefused, "the excluded node takes no part")
        let retryInbox = try exchange(c, "hot", &retry)
        for n in participants(c, "hot") {
            guard case .confirm(let entry, _) = try retry[n.id]!.finish(round1: round1(c, "hot"), shares: messages(retryInbox[n.id]!),
                                                                      softwareVersion: "t") else { continue }
            try submit(&c, entry, by: n)
        }
        #expect(c.state.vaults["hot"]?.status == .active)
    }

    @Test func aSignedEnvelopeThatIsNotAShareForTheComplainantNamesItsSenderNotTheComplainant() throws {
        var c = try cluster()
        try create(&c, "hot", .frostEd25519)
        var parties = try commitAll(&c, "hot")
        // node-3 signs, for node-1, an envelope naming another vault: the complainant cannot be
        // framed with it, its sender is named.
        let inbox = try exchange(c, "hot", &parties) { from, to, m in
            guard from == nodes[2].id, to == nodes[0].id else { return m }
            return VaultShareMessage(vault: "elsewhere", epoch: m.epoch, recipient: m.recipient, unsafeShare: m.unsafeShare)
        }
        let complaint = VaultEntry.complain(vault: "hot", epoch: 0, accused: nodes[2].id, evidence: inbox[nodes[0].id]![nodes[2].id]!)
        #expect(try submit(&c, complaint, by: nodes[0]) == .vault(id: "hot", status: .failed))
        #expect(c.state.vaults["hot"]?.failure?.culprits == [nodes[2].id])
    }

    @Test func aFalseAccusationNamesTheAccuser() throws {
        var c = try cluster()
        try create(&c, "hot", .frostEd25519)
        var parties = try commitAll(&c, "hot")
        let inbox = try exchange(c, "hot", &parties)
        // node-1 shows node-2's honest share and claims it is bad.
        let complaint = VaultEntry.complain(vault: "hot", epoch: 0, accused: nodes[1].id, evidence: inbox[nodes[0].id]![nodes[1].id]!)
        #expect(try submit(&c, complaint, by: nodes[0]) == .vault(id: "hot", status: .failed))
        #expect(c.state.vaults["hot"]?.failure?.culprits == [nodes[0].id])
    }

    @Test func aShareMeantForAnotherNodeIsNoEvidence() throws {
        var c = try cluster()
        try create(&c, "hot", .frostEd25519)
        var parties = try commitAll(&c, "hot")
        let inbox = try exchange(c, "hot", &parties)
        // node-4 received node-2's share for node-4; shown by node-1 as if it were node-1's it
        // would not match node-1's point, but the signed plaintext names node-4 as recipient.
        let stolen = inbox[nodes[3].id]![nodes[1].id]!
        let complaint = VaultEntry.complain(vault: "hot", epoch: 0, accused: nodes[1].id, evidence: stolen)
        #expect(try submit(&c, complaint, by: nodes[0]) == .vault(id: "hot", status: .failed))
        #expect(c.state.vaults["hot"]?.failure?.culprits == [nodes[0].id], "the accuser, not the honest sender")
        // Evidence altered after signing is no evidence either.
        var d = try cluster()
        try create(&d, "hot", .frostEd25519)
        var dParties = try commitAll(&d, "hot")
        let dInbox = try exchange(d, "hot", &dParties)
        let honest = dInbox[nodes[0].id]![nodes[1].id]!
        var plaintext = honest.plaintext
        plaintext[plaintext.count - 1] ^= 1
        let forged = SignedEnvelope.Evidence(header: honest.header, plaintext: plaintext, signature: honest.signature)
        #expect(try submit(&d, .complain(vault: "hot", epoch: 0, accused: nodes[1].id, evidence: forged), by: nodes[0])
            == .vault(id: "hot", status: .failed))
        #expect(d.state.vaults["hot"]?.failure?.culprits == [nodes[0].id])
    }

    @Test func aConfirmationOfAnotherKeyNamesTheConfirmer() throws {
        var c = try cluster()
        try create(&c, "hot", .frostTaproot)
        var parties = try commitAll(&c, "hot")
        let inbox = try exchange(c, "hot", &parties)
        guard case .confirm(.confirm(let v, let e, var key, let t, let s, let r), _) = try parties[nodes[0].id]!.finish(
            round1: round1(c, "hot"), shares: messages(inbox[nodes[0].id]!), softwareVersion: "t")
        else { Issue.record("no confirmation"); return }
        key[5] ^= 1
        #expect(try submit(&c, .confirm(vault: v, epoch: e, groupKey: key, transcriptDigest: t, softwareVersion: s, chainCodeReveal: r),
                           by: nodes[0]) == .vault(id: "hot", status: .failed))
        #expect(c.state.vaults["hot"]?.failure?.culprits == [nodes[0].id])
    }

    @Test func silencePastTheDeadlineFailsWithoutBlameAndTheIdCanBeUsedAgain() throws {
        var c = try cluster()
        try create(&c, "hot", .frostEd25519)
        var parties = try commitAll(&c, "hot")
        let inbox = try exchange(c, "hot", &parties)
        for n in nodes.prefix(3) {
            guard case .confirm(let entry, _) = try parties[n.id]!.finish(round1: round1(c, "hot"), shares: messages(inbox[n.id]!),
                                                                        softwareVersion: "t") else { continue }
            try submit(&c, entry, by: n)
        }
        #expect(c.state.vaults["hot"]?.status == .generating)
        c.state.advance(to: c.state.vaults["hot"]!.ceremony.deadline)
        let failure = try #require(c.state.vaults["hot"]?.failure)
        #expect(failure.culprits.isEmpty && failure.silent == [nodes[3].id])
        #expect(c.state.vaults["hot"]?.key == nil)
        // A new ceremony under the same id starts at the next epoch.
        try create(&c, "hot", .frostEd25519)
        #expect(c.state.vaults["hot"]?.epoch == 1)
        // And an active vault's id is not reused.
        _ = try generate(&c, "warm", .frostEd25519)
        let (p, _) = try c.propose(.createVault(id: "warm", label: "again", scheme: .frostEd25519, environment: .development), by: "erin")
        try c.approve(p, by: "frank")
        try c.approve(p, by: "grace")
        #expect(c.status(p) != .executed)
    }

    @Test func entriesNotSignedByAMemberForThisClusterAreRefused() throws {
        var c = try cluster()
        try create(&c, "hot", .frostEd25519)
        let party = try KeyGenerationParty(vault: c.state.vaults["hot"]!, me: nodes[0].id, genesisDigest: c.state.genesisDigest)
        // Signed by a stranger who claims node-1's id.
        let stranger = NodeIdentity.generate(id: nodes[0].id)
        #expect(Cluster.code(c.apply(try party.commitEntry.entry(signedBy: stranger, genesisDigest: c.state.genesisDigest)))
            == .memberSignatureRefused)
        // Signed by node-1 for another cluster.
        #expect(Cluster.code(c.apply(try party.commitEntry.entry(signedBy: nodes[0].identity, genesisDigest: Hashes.sha256([1]))))
            == .memberSignatureRefused)
        // Signed by a node that is not a member at all.
        let outsider = NodeIdentity.generate(id: NodeID("node-9"))
        #expect(Cluster.code(c.apply(try party.commitEntry.entry(signedBy: outsider, genesisDigest: c.state.genesisDigest)))
            == .unknownMember)
        // No authorization at all, or a payload that names another kind: malformed, refused by
        // admission and by every node's block check.
        let unsigned = try Entry(kind: VaultEntry.commitKind, payload: party.commitEntry.payload)
        #expect(ReplicatedState.malformation(of: unsigned)?.code == .unsigned)
        let signed = try party.commitEntry.entry(signedBy: nodes[0].identity, genesisDigest: c.state.genesisDigest)
        let relabelled = try Entry(kind: VaultEntry.confirmKind, payload: signed.payload, authorization: signed.authorization)
        #expect(ReplicatedState.malformation(of: relabelled)?.code == .malformed)
        #expect(ReplicatedState.malformation(of: signed) == nil)
        #expect(c.state.vaults["hot"]?.ceremony.commitments.isEmpty == true)
    }

    @Test func aCeremonyEntryRoundTripsThroughItsEncoding() throws {
        let evidence = SignedEnvelope.Evidence(
            header: try SignedEnvelope.Header(sessionID: Array(repeating: 1, count: 32), round: 2, sender: Array(repeating: 2, count: 32),
                                              recipient: Array(repeating: 3, count: 32)),
            plaintext: [4, 5], signature: Array(repeating: 6, count: 64))
        let entries: [VaultEntry] = [
            .commit(vault: "hot", epoch: 3, package: [1, 2, 3], chainCodeCommitment: Array(repeating: 7, count: 32)),
            .confirm(vault: "hot", epoch: 3, groupKey: [9], transcriptDigest: [8], softwareVersion: "v1", chainCodeReveal: [7]),
            .complain(vault: "hot", epoch: 3, accused: NodeID("node-2"), evidence: evidence),
        ]
        for e in entries { #expect(try VaultEntry(payload: e.payload, kind: e.kind) == e) }
        var truncated = entries[2].payload
        truncated.removeLast()
        #expect(throws: GovernanceError(.malformed, "")) { _ = try VaultEntry(payload: truncated, kind: VaultEntry.complaintKind) }
    }
}
