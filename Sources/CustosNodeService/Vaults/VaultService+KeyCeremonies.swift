import CustosCore
import CustosCrypto
import CustosLedger
import CustosNode
import CustosPolicy
import CustosSigning
import CustosState
import Logging

extension VaultService {
    /// This node's steps in every key ceremony under way that lists it:
    ///
    /// 1. make the round-1 package (`KeyGenerationParty`) and commit it (`vault.dkg.commit`);
    /// 2. once the log holds every participant's package, seal each peer's secret share and post
    ///    them to the relay;
    /// 3. once every peer's share arrived, check them against the log's commitments; store this
    ///    node's key share sealed in its database, and only then commit the confirmation — or,
    ///    for a share that does not match, commit a complaint with the sender's signed envelope.
    ///
    /// A node restarted in the middle of a ceremony has lost its round-1 secret: it says so, and
    /// the ceremony fails at its deadline with this node named silent (governance starts another).
    func advanceCeremonies(in state: ReplicatedState) async {
        let now = clock()
        for vault in state.vaults.values.sorted(by: { $0.id < $1.id })
        where vault.status == .generating && vault.ceremony.deadline + Self.deadlineGrace <= now {
            // Block time moves only with blocks: say the deadline passed, so a block carries it.
            try? await submit(.timeout(vault: vault.id, epoch: vault.epoch, request: nil, attempt: 0),
                              subject: "\(vault.id)/\(vault.epoch)", state: state)
        }
        for vault in state.vaults.values.sorted(by: { $0.id < $1.id })
        where vault.status == .generating && vault.ceremony.index(of: identity.id) != nil {
            do { try await advance(vault, in: state) } catch {
                logger.error("key ceremony step failed", metadata: ["vault": "\(vault.id)", "error": "\("\(error)".printable(limit: 512))"])
            }
        }
    }

    /// Forgets ceremonies that ended; a key share stored for one that failed is deleted.
    func forgetCeremonies(ended: [Session], in state: ReplicatedState) {
        for key in ended {
            guard case .ceremony(let vault, let epoch) = key else { continue }
            if state.vaults[vault]?.status != .active || state.vaults[vault]?.epoch != epoch {
                _ = try? database.deleteSecret(kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: vault, epoch: UInt64(epoch)))
            }
            ceremonies[key] = nil
        }
    }

    private func advance(_ vault: Vault, in state: ReplicatedState) async throws {
        let key = Session.ceremony(vault: vault.id, epoch: vault.epoch)
        let c = vault.ceremony
        var ceremony = ceremonies[key] ?? Ceremony()
        defer { ceremonies[key] = ceremony }
        guard environment.mayHold(vault.environment) else {
            if !ceremony.warned {
                ceremony.warned = true
                logger.error("refusing to take part in a vault of another environment",
                             metadata: ["vault": "\(vault.id)", "vault environment": "\(vault.environment.rawValue)",
                                        "node environment": "\(environment.rawValue)"])
            }
            return
        }
        let subject = "\(vault.id)/\(c.epoch)"
        // Round 1: commit the package to the log.
        if c.commitments[identity.id] == nil {
            if ceremony.party == nil {
                ceremony.party = try KeyGenerationParty(vault: vault, me: identity.id, genesisDigest: state.genesisDigest)
                logger.info("taking part in a key ceremony",
                            metadata: ["vault": "\(vault.id)", "epoch": "\(c.epoch)", "scheme": "\(vault.scheme.rawValue)"])
            }
            try await submit(ceremony.party!.commitEntry, subject: subject, state: state)
            return
        }
        guard var party = ceremony.party else {
            if !ceremony.warned {
                ceremony.warned = true
                logger.error("this node committed its round-1 package before a restart and no longer holds its secret; the ceremony will fail at its deadline",
                             metadata: ["vault": "\(vault.id)", "epoch": "\(c.epoch)"])
            }
            return
        }
        guard c.expected != nil, c.confirmations[identity.id] == nil else { return }
        let round1 = c.commitments.mapValues(\.package)
        // Round 2: the secret shares, sealed for each peer, posted to the relay.
        if ceremony.outgoing == nil {
            let messages = try party.shares(for: round1).mapValues { faults.share($0, logger: logger) }
            ceremony.party = party
            ceremony.outgoing = try seal(messages, session: c.sessionID(genesisDigest: state.genesisDigest, vault: vault.id),
                                         round: VaultEntry.shareRound, state: state)
        }
        if !ceremony.posted, let outgoing = ceremony.outgoing {
            ceremony.posted = try await post(outgoing, what: "key shares for \(vault.id)")
        }
        // Part 3: once every peer's share is here, confirm or complain (and repeat that entry
        // until it is committed).
        for kind in [VaultEntry.confirmKind, VaultEntry.complaintKind] where submitted[kind + " " + subject] != nil {
            try await resubmitIfDue(kind + " " + subject)
            return
        }
        let peers = c.participants.filter { $0 != identity.id }
        let received = inbox[key] ?? [:]
        guard peers.allSatisfy({ received[$0] != nil }) else { return }
        var messages: [NodeID: VaultShareMessage] = [:]
        for peer in peers {
            guard let message = try? VaultShareMessage(encoded: received[peer]!.plaintext) else {
                try await complain(.complain(vault: vault.id, epoch: vault.epoch, accused: peer, evidence: received[peer]!), accusing: peer,
                                   subject: subject, state: state)
                return
            }
            messages[peer] = message
        }
        switch try party.finish(round1: round1, shares: messages, softwareVersion: softwareVersion) {
        case .confirm(let entry, let keyShare):
            try await store(keyShare, vault: vault.id, epoch: c.epoch, thenConfirm: entry, subject: subject, state: state)
        case .badShare(let peer):
            try await complain(.complain(vault: vault.id, epoch: vault.epoch, accused: peer, evidence: received[peer]!), accusing: peer,
                               subject: subject, state: state)
        }
    }

    /// Stores `keyShare` sealed as this node's share of `vault` at `epoch` (one already stored
    /// is kept), and only then commits `confirmation` (`vault.dkg.confirm` or `vault.refresh.confirm`).
    func store(_ keyShare: SecretBytes, vault: String, epoch: UInt32, thenConfirm confirmation: VaultEntry, subject: String,
               state: ReplicatedState) async throws {
        let id = NodeDatabase.vaultShareID(vault: vault, epoch: UInt64(epoch))
        if try database.secret(kind: .vaultKeyShare, id: id) == nil {
            try database.storeSecret(keyShare, kind: .vaultKeyShare, id: id)
        }
        logger.info("key share stored sealed; confirming it", metadata: ["vault": "\(vault)", "epoch": "\(epoch)", "entry": "\(confirmation.kind)"])
        counters.ceremoniesConfirmed += 1
        try await submit(confirmation, subject: subject, state: state)
    }

    /// Commits `complaint` (`vault.dkg.complaint` or `vault.refresh.complaint`): `peer`'s signed
    /// envelope whose share does not match that peer's public commitments.
    func complain(_ complaint: VaultEntry, accusing peer: NodeID, subject: String, state: ReplicatedState) async throws {
        logger.error("a peer's share does not match its public commitments; complaining with its signed envelope",
                     metadata: ["vault": "\(complaint.vault)", "peer": "\(peer)", "entry": "\(complaint.kind)"])
        counters.complaints += 1
        try await submit(complaint, subject: subject, state: state)
    }
}
