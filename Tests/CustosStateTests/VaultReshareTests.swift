import Crypto
import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosSigning
@testable import CustosState
import Testing

/// Membership changes reshare every vault, as the log records and checks it: an executed
/// `add-member` or `remove-member` starts, in the same transition, a reshare of each active vault
/// from its share holders that are still members to the new membership, with the threshold the
/// new cluster size asks for. Nothing signs on the vault until every receiver confirmed the
/// transcript; then the vault moves to the new epoch with the same key and addresses, the new
/// node holds a share that signs, and a removed node's old share no longer combines with the new
/// ones. Hostile entries (a non-dealer dealing, a dealing for another epoch, a replay, a removed
/// member's entry) are refused; a dealer that sends a wrong share is named and excluded, and the
/// reshare completes without it.
@Suite struct VaultReshareTests {
    typealias Node = VaultCeremonyTests.Node
    var ceremony = VaultCeremonyTests()
    let newcomer = Node(identity: .generate(id: NodeID("node-5")))
    var everyone: [Node] { ceremony.nodes + [newcomer] }

    func node(_ id: NodeID) -> Node { everyone.first { $0.id == id }! }

    /// Has the quorum approve `change`; it executes.
    func govern(_ c: inout Cluster, _ change: GovernanceChange) throws {
        let (p, _) = try c.propose(change, by: "erin")
        try c.approve(p, by: "frank")
        try c.approve(p, by: "grace")
        #expect(c.status(p) == .executed)
    }

    func addNewcomer(_ c: inout Cluster) throws {
        try govern(&c, try MembershipChangeTests.join(newcomer.identity, in: c.state))
    }

    /// Every participant of the running run takes part: dealers from `keys` (their shares at
    /// `fromEpoch`), the others only receive; dealers commit their dealings.
    func deal(_ c: inout Cluster, _ vault: String, keys: [NodeID: SecretBytes]) throws -> [NodeID: RefreshParty] {
        let r = try #require(c.state.vaults[vault]?.runningReshare)
        var parties: [NodeID: RefreshParty] = [:]
        for id in r.participants {
            let party = try RefreshParty(vault: c.state.vaults[vault]!, me: id, keyShare: r.dealers.contains(id) ? keys[id]! : nil,
                                         genesisDigest: c.state.genesisDigest)
            parties[id] = party
            #expect((party.dealEntry != nil) == r.dealers.contains(id), "\(id) deals exactly when it is a dealer")
            if let deal = party.dealEntry { #expect(try ceremony.submit(&c, deal, by: node(id)) == .vault(id: vault, status: .active)) }
        }
        return parties
    }

    /// Every dealer's shares, sealed and opened as the relay carries them (`VaultRefreshTests.exchange`).
    func exchange(
        _ c: Cluster, _ vault: String, _ parties: [NodeID: RefreshParty],
        tamper: (NodeID, NodeID, VaultShareMessage) -> VaultShareMessage = { _, _, m in m }
    ) throws -> [NodeID: [NodeID: SignedEnvelope.Evidence]] {
        try VaultRefreshTests().exchange(c, vault, parties, everyone: everyone, tamper: tamper)
    }

    /// Every receiver finishes and confirms; returns the new sealed shares.
    func confirmAll(_ c: inout Cluster, _ vault: String, _ parties: [NodeID: RefreshParty],
                    _ inbox: [NodeID: [NodeID: SignedEnvelope.Evidence]]) throws -> [NodeID: SecretBytes] {
        let dealings = c.state.vaults[vault]!.runningReshare!.dealings.mapValues(\.dealing)
        var fresh: [NodeID: SecretBytes] = [:]
        for (id, party) in parties.sorted(by: { $0.key < $1.key }) {
            guard case .confirm(let entry, let key) = try party.finish(dealings: dealings, shares: try ceremony.messages(inbox[id] ?? [:]),
                                                                       softwareVersion: "custos-test 3")
            else { Issue.record("\(id) did not confirm"); continue }
            fresh[id] = key
            try ceremony.submit(&c, entry, by: node(id))
        }
        return fresh
    }

    /// The whole honest reshare under way; returns every receiver's new share.
    func reshare(_ c: inout Cluster, _ vault: String, keys: [NodeID: SecretBytes]) throws -> [NodeID: SecretBytes] {
        let parties = try deal(&c, vault, keys: keys)
        return try confirmAll(&c, vault, parties, try exchange(c, vault, parties))
    }

    @Test(arguments: Vault.Scheme.allCases)
    func replacingANodeResharesTheVaultAndTheRemovedNodesShareNoLongerCombines(scheme: Vault.Scheme) throws {
        var c = try ceremony.cluster()
        let keys = try ceremony.generate(&c, "hot", scheme)
        let before = try #require(c.state.vaults["hot"])

        // Adding node-5 starts the reshare in the same transition; the change is not complete yet.
        try addNewcomer(&c)
        let five = everyone.map(\.id)
        var r = try #require(c.state.vaults["hot"]?.runningReshare)
        #expect(r.kind == .reshare && r.fromEpoch == 0 && r.epoch == 1 && r.participants == five && r.dealers == ceremony.nodes.map(\.id))
        #expect(r.minSigners == ReplicatedState.minSigners(scheme, nodes: 5))
        #expect(c.state.vaultsAwaitingReshare == ["hot"])
        #expect(c.state.vaults["hot"]?.identifier(of: newcomer.id) == 5 && c.state.vaults["hot"]?.index(of: newcomer.id) == nil,
                "node-5 has an identifier to receive under, and holds no share yet")
        let added = try reshare(&c, "hot", keys: keys)
        var vault = try #require(c.state.vaults["hot"])
        #expect(vault.epoch == 1 && vault.holders == five && vault.index(of: newcomer.id) == 5 && vault.runningReshare == nil)
        #expect(vault.refreshes.last?.status == .completed && c.state.vaultsAwaitingReshare.isEmpty)
        #expect(vault.key?.groupKey == before.key?.groupKey && vault.key?.chainCode == before.key?.chainCode)
        #expect(vault.addresses == before.addresses, "the addresses derive from the same key and chain code")
        #expect(Set(added.keys) == Set(five))

        // Removing node-1: node-2 … node-5 deal from their epoch-1 shares and receive epoch 2.
        let removed = ceremony.nodes[0].id
        try govern(&c, .removeMember(id: removed))
        r = try #require(c.state.vaults["hot"]?.runningReshare)
        let four = Array(five.dropFirst())
        #expect(r.fromEpoch == 1 && r.epoch == 2 && r.participants == four && r.dealers == four)
        #expect(r.minSigners == ReplicatedState.minSigners(scheme, nodes: 4))
        // The removed node's own entries are refused: it is no longer a member.
        let forged = VaultEntry.refreshDeal(vault: "hot", epoch: 2, dealing: [1, 2, 3])
        #expect(Cluster.code(try ceremony.submit(&c, forged, by: node(removed))) == .unknownMember)
        let final = try reshare(&c, "hot", keys: added)
        vault = try #require(c.state.vaults["hot"])
        #expect(vault.epoch == 2 && vault.holders == four && vault.index(of: removed) == nil && vault.identifier(of: removed) == 1)
        #expect(vault.key?.groupKey == before.key?.groupKey)
        let pub = vault.key!.publicKeyPackage
        let threshold = vault.minSigners

        // Any threshold of new shares, the new node's included, combine to the group key …
        #expect(try ShareCombination.combines(scheme, sealedShares: Array(four.suffix(threshold)).map { final[$0]! }))
        // … the removed node's old shares (of either epoch) with new ones do not …
        let others = Array(four.suffix(threshold - 1)).map { final[$0]! }
        #expect(try !ShareCombination.combines(scheme, sealedShares: [keys[removed]!] + others))
        #expect(try !ShareCombination.combines(scheme, sealedShares: [added[removed]!] + others))
        // … and neither do the remaining nodes' old shares with new ones.
        #expect(try !ShareCombination.combines(scheme, sealedShares: [added[four[0]]!] + Array(four.suffix(threshold - 1)).map { final[$0]! }))

        if scheme == .frostEd25519 {
            // The new node signs, with two others, a signature that verifies under the unchanged key.
            let message = Array("custos reshare test".utf8)
            let signers = try [newcomer.id, four[0], four[1]].map { try KeyPackage<Ed25519SHA512>(sealedRepresentation: final[$0]!) }
            let signature = try LocalCeremony<Ed25519SHA512>.sign(message: message, signers: signers,
                                                                   publicKeyPackage: try PublicKeyPackage(serializedBytes: pub))
            #expect(try Curve25519.Signing.PublicKey(rawRepresentation: vault.key!.groupKey)
                .isValidSignature(try signature.serializedBytes, for: message))
        }
    }

    @Test func hostileReshareEntriesAreRefusedAndChangeNothing() throws {
        var c = try ceremony.cluster()
        let keys = try ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        try addNewcomer(&c)
        let r = try #require(c.state.vaults["hot"]?.runningReshare)
        let dealer = ceremony.nodes[1]
        let party = try RefreshParty(vault: c.state.vaults["hot"]!, me: dealer.id, keyShare: keys[dealer.id]!, genesisDigest: c.state.genesisDigest)
        guard case .refreshDeal(_, _, let dealing)? = party.dealEntry else { Issue.record("node-2 deals"); return }
        let unchanged = c.state.vaults["hot"]

        // A non-dealer dealing: node-5 held no share at epoch 0.
        #expect(Cluster.code(try ceremony.submit(&c, .refreshDeal(vault: "hot", epoch: r.epoch, dealing: dealing), by: newcomer)) == .ceremonyRefused)
        // A dealing for another epoch.
        #expect(Cluster.code(try ceremony.submit(&c, .refreshDeal(vault: "hot", epoch: r.epoch + 1, dealing: dealing), by: dealer)) == .ceremonyRefused)
        // A confirmation before every dealing is in.
        #expect(Cluster.code(try ceremony.submit(&c, .refreshConfirm(vault: "hot", epoch: r.epoch, transcriptDigest: [UInt8](repeating: 7, count: 32),
                                                         softwareVersion: "t"), by: dealer)) == .ceremonyRefused)
        #expect(c.state.vaults["hot"] == unchanged, "refused entries change nothing")

        // The dealing, then its replay.
        #expect(try ceremony.submit(&c, party.dealEntry!, by: dealer) == .vault(id: "hot", status: .active))
        #expect(Cluster.code(try ceremony.submit(&c, party.dealEntry!, by: dealer)) == .ceremonyRefused)
        #expect(c.state.vaults["hot"]?.runningReshare?.dealings.count == 1)
        // An entry signed by a node that is not a member (node-6, never added).
        let stranger = Node(identity: .generate(id: NodeID("node-6")))
        #expect(Cluster.code(try ceremony.submit(&c, .refreshDeal(vault: "hot", epoch: r.epoch, dealing: dealing), by: stranger)) == .unknownMember)
        // A refresh cannot start while the reshare runs.
        let (p, _) = try c.propose(.refreshVault(id: "hot"), by: "erin")
        try c.approve(p, by: "frank")
        try c.approve(p, by: "grace")
        #expect(c.status(p) != .executed)
    }

    @Test func aDealerSendingAWrongShareIsNamedAndTheReshareCompletesWithoutIt() throws {
        var c = try ceremony.cluster()
        let keys = try ceremony.generate(&c, "hot", .frostEd25519)
        try addNewcomer(&c)
        let culprit = ceremony.nodes[2].id
        let parties = try deal(&c, "hot", keys: keys)
        let inbox = try exchange(c, "hot", parties) { from, to, m in
            guard from == culprit, to == newcomer.id else { return m }
            var share = m.unsafeShare
            share[share.count - 1] ^= 1
            return VaultShareMessage(vault: m.vault, epoch: m.epoch, recipient: m.recipient, unsafeShare: share)
        }
        let dealings = c.state.vaults["hot"]!.runningReshare!.dealings.mapValues(\.dealing)
        let outcome = try parties[newcomer.id]!.finish(dealings: dealings, shares: ceremony.messages(inbox[newcomer.id]!), softwareVersion: "t")
        guard case .badShare(let accused) = outcome else { Issue.record("the wrong share was not found"); return }
        #expect(accused == culprit)
        try ceremony.submit(&c, .refreshComplaint(vault: "hot", epoch: 1, accused: culprit, evidence: inbox[newcomer.id]![culprit]!), by: newcomer)

        // The log names the culprit and excludes it; the reshare starts again, at the next epoch,
        // without it as a dealer or receiver, and the vault still signs nothing meanwhile.
        var vault = try #require(c.state.vaults["hot"])
        let failed = try #require(vault.refreshes.dropLast().last)
        #expect(failed.status == .failed && failed.failure?.culprits == [culprit] && vault.excluded == [culprit])
        let again = try #require(vault.runningReshare)
        #expect(again.epoch == 2 && again.fromEpoch == 0 && !again.dealers.contains(culprit) && !again.participants.contains(culprit))
        #expect(again.operationId == failed.operationId)
        #expect(c.state.vaultsAwaitingReshare == ["hot"])
        // Readmitting the culprit while the reshare runs is refused: its receivers are fixed.
        let (_, early) = try c.propose(.readmitSigner(vault: "hot", node: culprit), by: "erin")
        guard case .refused(let error) = early else { Issue.record("readmitted during a reshare: \(early)"); return }
        #expect(error.reason.contains("a reshare of vault hot is running"), "\(error.reason)")
        let fresh = try reshare(&c, "hot", keys: keys)
        vault = try #require(c.state.vaults["hot"])
        #expect(vault.epoch == 2 && vault.holders == again.participants && c.state.vaultsAwaitingReshare.isEmpty)
        #expect(try ShareCombination.combines(.frostEd25519, sealedShares: Array(again.participants.suffix(vault.minSigners)).map { fresh[$0]! }))

        // The culprit holds no share of epoch 2. Once the quorum readmits it, a reshare to the
        // membership gives it one: it receives, the holders deal.
        try govern(&c, .readmitSigner(vault: "hot", node: culprit))
        vault = try #require(c.state.vaults["hot"])
        let back = try #require(vault.runningReshare)
        #expect(vault.excluded.isEmpty && back.participants.contains(culprit) && !back.dealers.contains(culprit))
        let readmitted = try reshare(&c, "hot", keys: fresh)
        vault = try #require(c.state.vaults["hot"])
        #expect(vault.epoch == back.epoch && vault.holders.contains(culprit) && c.state.vaultsAwaitingReshare.isEmpty)
        let signers = [culprit] + vault.holders.filter { $0 != culprit }.prefix(vault.minSigners - 1)
        #expect(try ShareCombination.combines(.frostEd25519, sealedShares: signers.map { readmitted[$0]! }))
    }

    /// The attack: a dealer commits its dealing but never sends one receiver its share. That
    /// receiver cannot confirm, and the log (which cannot tell withholding from silence) names it
    /// silent at the deadline. Were every restart to keep the same dealers, the withholding dealer
    /// would fail every run and the vault would sign nothing ever again. Each restart after a
    /// silent receiver takes another choice of dealers, so a run without the attacker completes;
    /// the victim is never excluded and ends up holding a share that combines.
    @Test(arguments: [0, 2])
    func aDealerWithholdingOneReceiversShareCannotStallTheReshare(attacker position: Int) throws {
        var c = try ceremony.cluster()
        let keys = try ceremony.generate(&c, "hot", .frostEd25519)
        try addNewcomer(&c)
        let attacker = ceremony.nodes[position].id
        let victim = newcomer.id
        var fresh: [NodeID: SecretBytes] = [:]
        var runs = 0
        var dealerSets: Set<[NodeID]> = []
        while let r = c.state.vaults["hot"]?.runningReshare, runs <= r.dealers.count + ceremony.nodes.count {
            runs += 1
            dealerSets.insert(r.dealers)
            let parties = try deal(&c, "hot", keys: keys)
            var inbox = try exchange(c, "hot", parties)
            inbox[victim]?[attacker] = nil
            let dealings = c.state.vaults["hot"]!.runningReshare!.dealings.mapValues(\.dealing)
            for (id, party) in parties.sorted(by: { $0.key < $1.key }) {
                guard let outcome = try? party.finish(dealings: dealings, shares: try ceremony.messages(inbox[id] ?? [:]), softwareVersion: "t"),
                      case .confirm(let entry, let key) = outcome
                else {
                    #expect(id == victim && r.dealers.contains(attacker), "only the victim of a withholding dealer cannot confirm")
                    continue
                }
                fresh[id] = key
                try ceremony.submit(&c, entry, by: node(id))
            }
            guard c.state.vaults["hot"]?.runningReshare?.epoch == r.epoch else { break }
            c.state.advance(to: r.deadline)
            let failed = try #require(c.state.vaults["hot"]?.refreshes.first { $0.epoch == r.epoch })
            #expect(failed.status == .failed && failed.failure?.silent == [victim] && failed.failure?.culprits == [])
        }
        let vault = try #require(c.state.vaults["hot"])
        #expect(vault.runningReshare == nil && vault.refreshes.last?.status == .completed, "a run without the withholding dealer completed")
        #expect(!vault.refreshes.last!.dealers.contains(attacker) && dealerSets.count == runs, "every run took another choice of dealers")
        #expect(vault.excluded.isEmpty && vault.holders.contains(victim) && c.state.vaultsAwaitingReshare.isEmpty)
        #expect(try ShareCombination.combines(.frostEd25519, sealedShares: [victim, ceremony.nodes[1].id, ceremony.nodes[3].id].map { fresh[$0]! }))
    }

    @Test func nothingSignsWhileAVaultIsResharedAndTheNewNodeSignsAfterwards() throws {
        let frost = FROSTSigningTests(ceremony: ceremony)
        var s = try frost.setup(.frostEd25519)
        try addNewcomer(&s.c)
        for n in ceremony.nodes { #expect(try frost.publish(&s, n) == .vault(id: "hot", status: .active)) }
        var session = try #require(s.c.state.signing[s.request])
        #expect(session.status == .waiting && session.signers.isEmpty, "nothing is assigned while the vault is reshared")

        let fresh = try reshare(&s.c, "hot", keys: s.keys)
        session = try #require(s.c.state.signing[s.request])
        #expect(session.epoch == 1 && session.status == .waiting, "the request waits for nonces of the new epoch")
        #expect(s.c.state.vaults["hot"]!.nonces.isEmpty, "the old epoch's pool is dropped")
        let old = try frost.makeNonces(.frostEd25519, key: s.keys[ceremony.nodes[0].id]!).0
        #expect(Cluster.code(try ceremony.submit(&s.c, .nonces(vault: "hot", epoch: 0, batch: 2, commitments: [old]), by: ceremony.nodes[0]))
            == .ceremonyRefused, "an old-epoch nonce batch is refused")

        // node-5 and two others publish nonces of their new shares: node-5 is in the signer set.
        for id in [newcomer.id, ceremony.nodes[1].id, ceremony.nodes[2].id] {
            let commitment = try frost.makeNonces(.frostEd25519, key: fresh[id]!).0
            #expect(try ceremony.submit(&s.c, .nonces(vault: "hot", epoch: 1, batch: 0, commitments: [commitment]), by: node(id))
                == .vault(id: "hot", status: .active))
        }
        session = try #require(s.c.state.signing[s.request])
        #expect(session.status == .signing && session.signers.contains(newcomer.id))
    }

    /// A member added and removed again before the vault was reshared to it: the running reshare
    /// is superseded and none starts, so the vault signs again at its epoch at once instead of
    /// waiting out a reshare to a membership that no longer exists.
    @Test func aMemberRemovedBeforeItsReshareCompletedSupersedesIt() throws {
        var c = try ceremony.cluster()
        _ = try ceremony.generate(&c, "hot", .frostEd25519)
        try addNewcomer(&c)
        let started = try #require(c.state.vaults["hot"]?.runningReshare)
        #expect(started.participants.contains(newcomer.id))
        try govern(&c, .removeMember(id: newcomer.id))
        let vault = try #require(c.state.vaults["hot"])
        #expect(vault.runningRefresh == nil && vault.epoch == 0 && vault.holders == ceremony.nodes.map(\.id))
        #expect(vault.refreshes.last?.status == .failed && vault.refreshes.last?.failure?.reason.contains("superseded") == true)
        #expect(c.state.vaultsAwaitingReshare.isEmpty)
    }

    @Test func aMembershipChangeWithoutVaultsStartsNoReshare() throws {
        var c = try ceremony.cluster()
        try addNewcomer(&c)
        #expect(c.state.members.count == 5 && c.state.vaults.isEmpty && c.state.vaultsAwaitingReshare.isEmpty)
    }
}
