import Crypto
import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosSigning
@testable import CustosState
import Testing

/// Proactive refresh as the log records and checks it: the governed `refresh-vault` starts a
/// refresh among the vault's participants, each deals (its Feldman commitments through the log,
/// its secret shares in signed, encrypted envelopes) and confirms the transcript the log's
/// dealings make; when all confirmed, the vault moves to the next epoch in one transition with
/// the same key and chain code and new verifying shares, its pools emptied and waiting requests
/// moved on. A wrong share names its sender, a false complaint the complainant, silence fails it
/// with the silent named; the vault keeps signing with its old shares whenever it fails.
@Suite struct VaultRefreshTests {
    var ceremony = VaultCeremonyTests()
    var nodes: [VaultCeremonyTests.Node] { ceremony.nodes }

    /// Proposes `refresh-vault` and has the quorum approve it.
    func refresh(_ c: inout Cluster, _ vault: String) throws {
        let (p, _) = try c.propose(.refreshVault(id: vault), by: "erin")
        try c.approve(p, by: "frank")
        try c.approve(p, by: "grace")
        #expect(c.status(p) == .executed)
        #expect(c.state.vaults[vault]?.runningRefresh != nil)
    }

    /// Every participant deals from its current share and commits the dealing.
    func deal(_ c: inout Cluster, _ vault: String, keys: [NodeID: SecretBytes], skipping: Set<NodeID> = []) throws -> [NodeID: RefreshParty] {
        var parties: [NodeID: RefreshParty] = [:]
        for n in ceremony.participants(c, vault) where !skipping.contains(n.id) {
            let party = try RefreshParty(vault: c.state.vaults[vault]!, me: n.id, keyShare: keys[n.id]!, genesisDigest: c.state.genesisDigest)
            parties[n.id] = party
            #expect(try ceremony.submit(&c, party.dealEntry!, by: n) == .vault(id: vault, status: .active))
        }
        return parties
    }

    /// Every dealer's shares, sealed in the running refresh's or reshare's session and opened by
    /// their recipients (any of `everyone`); `tamper` changes what a sender sends.
    func exchange(
        _ c: Cluster, _ vault: String, _ parties: [NodeID: RefreshParty], everyone: [VaultCeremonyTests.Node]? = nil,
        tamper: (NodeID, NodeID, VaultShareMessage) -> VaultShareMessage = { _, _, m in m }
    ) throws -> [NodeID: [NodeID: SignedEnvelope.Evidence]] {
        let everyone = everyone ?? nodes
        func node(_ id: NodeID) -> VaultCeremonyTests.Node { everyone.first { $0.id == id }! }
        let session = c.state.vaults[vault]!.runningRefresh!.sessionID(genesisDigest: c.state.genesisDigest, vault: vault)
        var inbox: [NodeID: [NodeID: SignedEnvelope.Evidence]] = [:]
        for (from, party) in parties {
            for (to, message) in party.shares {
                let header = try SignedEnvelope.Header(sessionID: session, round: VaultEntry.shareRound,
                                                       sender: node(from).identity.publicKeyBytes,
                                                       recipient: Array(node(to).transport.publicKey.rawRepresentation))
                let sealed = try node(from).identity.seal(tamper(from, to, message).encoded, header: header)
                inbox[to, default: [:]][from] = try SignedEnvelope.open(sealed, recipient: node(to).transport) { key in
                    everyone.contains { $0.identity.publicKeyBytes == key }
                }
            }
        }
        return inbox
    }

    func dealings(_ c: Cluster, _ vault: String) -> [NodeID: [UInt8]] { c.state.vaults[vault]!.runningRefresh!.dealings.mapValues(\.dealing) }

    /// The whole honest refresh; returns every node's new sealed key share.
    func refreshAll(_ c: inout Cluster, _ vault: String, keys: [NodeID: SecretBytes]) throws -> [NodeID: SecretBytes] {
        try refresh(&c, vault)
        let parties = try deal(&c, vault, keys: keys)
        let inbox = try exchange(c, vault, parties)
        var fresh: [NodeID: SecretBytes] = [:]
        for n in ceremony.participants(c, vault) {
            guard case .confirm(let entry, let key) = try parties[n.id]!.finish(
                dealings: dealings(c, vault), shares: try ceremony.messages(inbox[n.id]!), softwareVersion: "custos-test 2")
            else { Issue.record("\(n.id) did not confirm"); continue }
            fresh[n.id] = key
            try ceremony.submit(&c, entry, by: n)
        }
        return fresh
    }

    @Test(arguments: Vault.Scheme.allCases)
    func aRefreshChangesEveryShareButNotTheKey(scheme: Vault.Scheme) throws {
        var c = try ceremony.cluster()
        let keys = try ceremony.generate(&c, "hot", scheme)
        let before = try #require(c.state.vaults["hot"])
        let fresh = try refreshAll(&c, "hot", keys: keys)
        let after = try #require(c.state.vaults["hot"])
        #expect(after.status == .active && after.epoch == 1 && after.ceremony.epoch == 0)
        let r = try #require(after.refreshes.last)
        #expect(r.status == .completed && r.fromEpoch == 0 && r.epoch == 1 && r.completedHeight != nil)
        #expect(r.confirmations.values.allSatisfy { $0.softwareVersion == "custos-test 2" })
        #expect(after.key?.groupKey == before.key?.groupKey && after.key?.chainCode == before.key?.chainCode)
        #expect(after.key?.publicKeyPackage != before.key?.publicKeyPackage)
        #expect(VaultAddressViewInputs(after) == VaultAddressViewInputs(before), "the addresses derive from the same key and chain code")
        for n in nodes { #expect(fresh[n.id]!.unsafeCopyBytes() != keys[n.id]!.unsafeCopyBytes(), "\(n.id)'s share changed") }
        let message = Array("custos refresh test".utf8)
        switch scheme {
        case .frostEd25519:
            let oldPub = try PublicKeyPackage<Ed25519SHA512>(serializedBytes: before.key!.publicKeyPackage)
            let pub = try PublicKeyPackage<Ed25519SHA512>(serializedBytes: after.key!.publicKeyPackage)
            for id in pub.participants { #expect(pub.verifyingShares[id] != oldPub.verifyingShares[id], "every verifying share changed") }
            let signers = try nodes.suffix(3).map { try KeyPackage<Ed25519SHA512>(sealedRepresentation: fresh[$0.id]!) }
            let signature = try LocalCeremony<Ed25519SHA512>.sign(message: message, signers: signers, publicKeyPackage: pub)
            #expect(try Curve25519.Signing.PublicKey(rawRepresentation: after.key!.groupKey).isValidSignature(try signature.serializedBytes,
                                                                                                              for: message))
            // An old share does not combine with new ones.
            let mixed = [try KeyPackage<Ed25519SHA512>(sealedRepresentation: keys[nodes[0].id]!)] + signers.prefix(2)
            let forged = try? LocalCeremony<Ed25519SHA512>.sign(message: message, signers: Array(mixed), publicKeyPackage: pub)
            #expect(forged.map { (try? Curve25519.Signing.PublicKey(rawRepresentation: after.key!.groupKey)
                .isValidSignature(try $0.serializedBytes, for: message)) ?? false } != true)
        case .frostTaproot:
            let pub = try PublicKeyPackage<Secp256k1TaprootSHA256>(serializedBytes: after.key!.publicKeyPackage)
            let signers = try nodes.prefix(3).map { try KeyPackage<Secp256k1TaprootSHA256>(sealedRepresentation: fresh[$0.id]!) }
            let signature = try LocalCeremony<Secp256k1TaprootSHA256>.sign(message: message, signers: signers, publicKeyPackage: pub)
            #expect(Secp256k1TaprootSHA256.isValidSignature(commitment: signature.commitment, z: signature.z, message: message,
                                                             key: pub.verifyingKey))
        case .ecdsaSecp256k1:
            let pub = try PublicKeyPackage<Secp256k1SHA256>(serializedBytes: after.key!.publicKeyPackage)
            for n in nodes {
                let kp = try KeyPackage<Secp256k1SHA256>(sealedRepresentation: fresh[n.id]!)
                #expect(kp.verifyingShare == pub.verifyingShares[kp.identifier], "\(n.id)'s new share is the log's")
            }
        }
    }

    @Test func aWrongRefreshShareNamesItsSenderAndTheVaultKeepsItsShares() throws {
        var c = try ceremony.cluster()
        let keys = try ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        let before = try #require(c.state.vaults["hot"]?.key)
        try refresh(&c, "hot")
        let parties = try deal(&c, "hot", keys: keys)
        let inbox = try exchange(c, "hot", parties) { from, to, m in
            guard from == nodes[2].id, to == nodes[0].id else { return m }
            var share = m.unsafeShare
            share[share.count - 1] ^= 1
            return VaultShareMessage(vault: m.vault, epoch: m.epoch, recipient: m.recipient, unsafeShare: share)
        }
        let outcome = try parties[nodes[0].id]!.finish(dealings: dealings(c, "hot"), shares: ceremony.messages(inbox[nodes[0].id]!),
                                                       softwareVersion: "t")
        guard case .badShare(let culprit) = outcome else { Issue.record("the bad share was not found"); return }
        #expect(culprit == nodes[2].id)
        let epoch = c.state.vaults["hot"]!.runningRefresh!.epoch
        try ceremony.submit(&c, .refreshComplaint(vault: "hot", epoch: epoch, accused: culprit, evidence: inbox[nodes[0].id]![culprit]!),
                            by: nodes[0])
        let vault = try #require(c.state.vaults["hot"])
        #expect(vault.refreshes.last?.status == .failed && vault.refreshes.last?.failure?.culprits == [nodes[2].id])
        #expect(vault.status == .active && vault.epoch == 0 && vault.key == before, "nothing half-made becomes active")
        #expect(vault.excluded == [nodes[2].id])
        // A confirmation of the failed refresh is refused.
        #expect(Cluster.code(try ceremony.submit(&c, .refreshConfirm(vault: "hot", epoch: epoch, transcriptDigest: Array(repeating: 0, count: 32),
                                                                    softwareVersion: "t"), by: nodes[1])) == .ceremonyRefused)
    }

    @Test func aFalseRefreshComplaintNamesTheComplainant() throws {
        var c = try ceremony.cluster()
        let keys = try ceremony.generate(&c, "hot", .frostEd25519)
        try refresh(&c, "hot")
        let parties = try deal(&c, "hot", keys: keys)
        let inbox = try exchange(c, "hot", parties)
        let epoch = c.state.vaults["hot"]!.runningRefresh!.epoch
        try ceremony.submit(&c, .refreshComplaint(vault: "hot", epoch: epoch, accused: nodes[1].id, evidence: inbox[nodes[0].id]![nodes[1].id]!),
                            by: nodes[0])
        let vault = try #require(c.state.vaults["hot"])
        #expect(vault.refreshes.last?.failure?.culprits == [nodes[0].id])
        #expect(vault.epoch == 0 && vault.status == .active)
    }

    @Test func aDealingThatDoesNotReshareItsOwnShareNamesTheDealer() throws {
        var c = try ceremony.cluster()
        let keys = try ceremony.generate(&c, "hot", .frostEd25519)
        try refresh(&c, "hot")
        // node-2 deals from node-1's share: its constant term is not its own weighted share.
        let r = c.state.vaults["hot"]!.runningRefresh!
        let other = try RefreshParty(vault: c.state.vaults["hot"]!, me: nodes[0].id, keyShare: keys[nodes[0].id]!, genesisDigest: c.state.genesisDigest)
        guard case .refreshDeal(_, _, let dealing) = other.dealEntry! else { Issue.record("no dealing"); return }
        try ceremony.submit(&c, .refreshDeal(vault: "hot", epoch: r.epoch, dealing: dealing), by: nodes[1])
        #expect(c.state.vaults["hot"]?.refreshes.last?.failure?.culprits == [nodes[1].id])
    }

    @Test func silencePastTheDeadlineFailsTheRefreshNamingTheSilent() throws {
        var c = try ceremony.cluster()
        let keys = try ceremony.generate(&c, "hot", .frostEd25519)
        try refresh(&c, "hot")
        _ = try deal(&c, "hot", keys: keys, skipping: [nodes[3].id])
        let r = try #require(c.state.vaults["hot"]?.runningRefresh)
        // A timeout before the deadline is refused; at the deadline the refresh fails.
        #expect(Cluster.code(try ceremony.submit(&c, .timeout(vault: "hot", epoch: r.epoch, request: nil, attempt: 0), by: nodes[0]))
                == .ceremonyRefused)
        c.state.advance(to: r.deadline)
        let vault = try #require(c.state.vaults["hot"])
        let failure = try #require(vault.refreshes.last?.failure)
        #expect(failure.culprits.isEmpty && failure.silent == [nodes[3].id])
        #expect(vault.status == .active && vault.epoch == 0 && vault.excluded.isEmpty)
        // Another refresh takes a later epoch: nothing of the failed one verifies in it.
        try refresh(&c, "hot")
        #expect(c.state.vaults["hot"]?.runningRefresh?.epoch == 2)
        let (p, _) = try c.propose(.refreshVault(id: "hot"), by: "erin")
        try c.approve(p, by: "frank")
        try c.approve(p, by: "grace")
        #expect(c.status(p) != .executed, "one refresh at a time")
    }

    @Test func oldNoncesAreRefusedAndAWaitingRequestSignsAfterTheRefresh() throws {
        let frost = FROSTSigningTests()
        let t = VaultRefreshTests(ceremony: frost.ceremony)
        var s = try frost.setup(.frostEd25519)
        // Two nodes publish nonces at epoch 0: too few signers, the request waits.
        for n in t.nodes.prefix(2) { _ = try frost.publish(&s, n) }
        #expect(s.c.state.signing[s.request]?.status == .waiting)
        let fresh = try t.refreshAll(&s.c, "hot", keys: s.keys)
        let vault = try #require(s.c.state.vaults["hot"])
        #expect(vault.epoch == 1 && vault.nonces.isEmpty && vault.nonceBatches.isEmpty, "the pool is emptied")
        #expect(s.c.state.signing[s.request]?.epoch == 1 && s.c.state.signing[s.request]?.status == .waiting)
        // An old-epoch nonce batch is refused.
        let (old, _) = try frost.makeNonces(.frostEd25519, key: s.keys[t.nodes[3].id]!)
        #expect(Cluster.code(try t.ceremony.submit(&s.c, .nonces(vault: "hot", epoch: 0, batch: 0, commitments: [old]), by: t.nodes[3]))
                == .ceremonyRefused)
        // With new shares and new nonces, the waiting request signs under the same key.
        s.keys = fresh
        s.nonces = [:]
        for n in t.nodes {
            let (commitment, sealed) = try frost.makeNonces(.frostEd25519, key: fresh[n.id]!)
            s.nonces[n.id, default: [:]][commitment] = sealed
            try t.ceremony.submit(&s.c, .nonces(vault: "hot", epoch: 1, batch: 0, commitments: [commitment]), by: n)
        }
        let session = try #require(s.c.state.signing[s.request])
        #expect(session.status == .signing && session.epoch == 1)
        let inbox = try frost.shares(s)
        let aggregator = session.signers[0]
        guard case .signature(let signature) = try FROSTSigningRound.aggregate(s.c.state, request: s.request,
                                                                               shares: try frost.plainShares(inbox[aggregator]!))
        else { Issue.record("no signature"); return }
        #expect(try t.ceremony.submit(&s.c, .signature(vault: "hot", epoch: 1, request: s.request, signature: signature),
                                      by: t.ceremony.node(aggregator)) == .signed(requestId: s.request))
        #expect(try Curve25519.Signing.PublicKey(rawRepresentation: vault.key!.groupKey).isValidSignature(signature, for: session.message))
    }

    @Test func oldPresigningEntriesAreRefusedAfterTheRefresh() throws {
        var c = try ceremony.cluster()
        let keys = try ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        let oldBatches = try #require(c.state.vaults["hot"]?.presignBatches.map(\.number))
        #expect(!oldBatches.isEmpty, "an active ECDSA vault starts presigning")
        _ = try refreshAll(&c, "hot", keys: keys)
        let vault = try #require(c.state.vaults["hot"])
        #expect(vault.epoch == 1 && vault.presignatures.isEmpty)
        #expect(Set(vault.presignBatches.map(\.number)).isDisjoint(with: oldBatches), "the old batches are dropped, new ones run at epoch 1")
        let signer = try #require(vault.presignBatches.first?.signers.first)
        #expect(Cluster.code(try ceremony.submit(&c, .presigned(vault: "hot", epoch: 0, batch: oldBatches[0], confirmations: [[]]),
                                                 by: ceremony.node(signer))) == .ceremonyRefused)
    }

    @Test func aRefreshEntryRoundTripsThroughItsEncoding() throws {
        let entries: [VaultEntry] = [
            .refreshDeal(vault: "hot", epoch: 3, dealing: [1, 2, 3]),
            .refreshConfirm(vault: "hot", epoch: 3, transcriptDigest: Array(repeating: 7, count: 32), softwareVersion: "custos 1"),
        ]
        for e in entries {
            #expect(try VaultEntry(payload: e.payload, kind: e.kind) == e)
            #expect(ReplicatedState.entryKinds[e.kind] != nil)
        }
        #expect(try GovernanceProposal(encoded: GovernanceProposal(id: "op", proposer: "erin", change: .refreshVault(id: "hot"),
                                                                   lifetimeSeconds: 60).encoded).change == .refreshVault(id: "hot"))
    }
}

/// What a vault's addresses derive from.
private struct VaultAddressViewInputs: Equatable {
    let groupKey: [UInt8]?
    let chainCode: [UInt8]?
    let addresses: [VaultAddress]
    init(_ v: Vault) {
        groupKey = v.key?.groupKey
        chainCode = v.key?.chainCode
        addresses = v.addresses
    }
}
