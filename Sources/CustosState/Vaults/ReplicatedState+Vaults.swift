import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC

extension ReplicatedState {
    /// The label under which participants draw the vault's chain code together.
    static let chainCodeLabel = "bip32-chain-code"

    /// Shares needed to sign a vault of `scheme` among `n` nodes, or nil if `n` nodes cannot
    /// hold one. With f = ⌊(n−1)/3⌋ faulty nodes tolerated: threshold ECDSA uses a degree-t
    /// sharing with t = max(1, f) and needs 2t + 1 ≤ n online signers; FROST needs 2f + 1 (at
    /// least 2) of n, so that f nodes alone never sign and f nodes down never stop signing.
    public static func minSigners(_ scheme: Vault.Scheme, nodes n: Int) -> Int? {
        let f = (n - 1) / 3
        switch scheme {
        case .ecdsaSecp256k1:
            let t = max(1, f)
            return 2 * t + 1 <= n ? t + 1 : nil
        case .frostEd25519, .frostTaproot:
            let t = max(2, 2 * f + 1)
            return t <= n ? t : nil
        }
    }

    /// Starts a vault's key generation among the current voting members (the executed
    /// `create-vault`). An id may be used again only after its ceremony failed; the new one then
    /// has the next epoch, so nothing of the old one verifies in it, and leaves out every node
    /// the failed ceremonies proved misbehaved or found silent (the threshold stays the one the
    /// cluster's size asks for, so the key is never weaker for it; a node left out holds no share
    /// of that vault).
    mutating func createVault(
        id: String, label: String, scheme: Vault.Scheme, environment: Vault.Environment, offline: OfflineEnrolment? = nil,
        operationId: String
    ) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidChange, reason) }
        try Self.checkUserId(id, what: "vault")
        guard !label.isEmpty, label.utf8.count <= Vault.maximumLabelBytes, label.printable(limit: Vault.maximumLabelBytes) == label else {
            throw invalid("a vault label has 1 to \(Vault.maximumLabelBytes) bytes of printable ASCII")
        }
        var epoch: UInt32 = 0
        var excluded: [NodeID] = []
        if let existing = vaults[id] {
            guard existing.status == .failed else { throw invalid("vault \"\(id)\" exists and is \(existing.status.rawValue)") }
            epoch = existing.epoch + 1
            excluded = Array(Set(existing.excluded + (existing.failure?.culprits ?? []) + (existing.failure?.silent ?? []))).sorted()
        }
        // An offline share: FROST only, made for this cluster, vault and scheme, its identity
        // signature and proof of possession checked by every node (at proposal and execution).
        if let offline {
            guard scheme != .ecdsaSecp256k1 else {
                throw GovernanceError(.offlineRefused, "vault \(id) is \(scheme.rawValue): an offline share needs a FROST vault (frost-ed25519 or frost-taproot)")
            }
            try offline.verify(genesisDigest: genesisDigest, vault: id, scheme: scheme)
        }
        guard !members.isEmpty else { throw invalid("this state was built without the cluster's members; no vault can be made") }
        guard let minSigners = Self.minSigners(scheme, nodes: members.count) else {
            throw invalid("\(members.count) nodes cannot hold a \(scheme.rawValue) vault; at least 3 are needed")
        }
        let participants = members.map(\.id).filter { !excluded.contains($0) }
        let online = scheme == .ecdsaSecp256k1 ? 2 * (minSigners - 1) + 1 : minSigners
        guard participants.count >= online else {
            throw invalid("only \(participants.count) nodes are left once \(excluded.map(\.rawValue).joined(separator: ", ")) are excluded; a \(scheme.rawValue) vault of this cluster needs \(online)")
        }
        let ceremony = VaultCeremony(
            operationId: operationId, epoch: epoch, participants: participants, minSigners: minSigners,
            startedAt: time, startedHeight: height, deadline: time + VaultCeremony.timeLimit)
        vaults[id] = Vault(id: id, label: label, scheme: scheme, environment: environment, status: .generating,
                           ceremony: ceremony, key: nil, failure: nil, excluded: excluded, offline: offline)
    }

    /// Applies a node's ceremony entry: refused (recorded) unless a current member signed it for
    /// this cluster and it fits the ceremony. A round-1 package whose proof does not verify, a
    /// confirmation of another key than the log's, a reveal that does not match its commitment,
    /// and a complaint (whichever side it proves wrong) end the ceremony as failed with the
    /// culprit named; nothing of a failed ceremony is ever active.
    mutating func applyVault(_ entry: Entry) -> GovernanceOutcome {
        let decoded: VaultEntry
        let signer: Member
        do { (decoded, signer) = try VaultEntry.verified(entry, members: members, genesisDigest: genesisDigest) } catch {
            let node = try? MemberSignature.signer(of: entry).node
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: node?.rawValue, error: error))
            return .refused(error)
        }
        var next = self
        do {
            let outcome: GovernanceOutcome
            switch decoded {
            case .commit, .confirm, .complain: outcome = .vault(id: decoded.vault, status: try next.transition(decoded, from: signer.id))
            case .nonces, .signature, .blame, .ecdsaBlame: outcome = try next.transitionSigning(decoded, from: signer.id)
            case .presigned: outcome = try next.transitionPresigning(decoded, from: signer.id)
            case .presignEvidence: outcome = try next.transitionPresignEvidence(decoded, from: signer.id)
            case .refreshDeal, .refreshConfirm, .refreshComplaint: outcome = try next.transitionRefresh(decoded, from: signer.id)
            case .timeout(_, let epoch, let request, let attempt):
                outcome = try next.timeout(vault: decoded.vault, epoch: epoch, request: request, attempt: attempt)
            }
            self = next
            return outcome
        } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: signer.id.rawValue, error: error))
            return .refused(error)
        }
    }

    /// Ends every key generation, and every refresh (`expireRefreshes`), whose deadline passed by
    /// the state's time, naming who stayed silent.
    mutating func expireCeremonies() {
        for (id, vault) in vaults where vault.status == .generating && vault.ceremony.deadline <= time {
            let c = vault.ceremony
            let missingCommit = c.participants.filter { c.commitments[$0] == nil }
            let silent = missingCommit.isEmpty ? c.participants.filter { c.confirmations[$0] == nil } : missingCommit
            let what = missingCommit.isEmpty ? "confirmation" : "round-1 package"
            fail(id, reason: "no \(what) from \(silent.map(\.rawValue).joined(separator: ", ")) by the deadline", culprits: [], silent: silent)
        }
        expireRefreshes()
    }

    private mutating func transition(_ entry: VaultEntry, from node: NodeID) throws(GovernanceError) -> Vault.Status {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.ceremonyRefused, reason) }
        guard let vault = vaults[entry.vault] else { throw GovernanceError(.unknownVault, "no vault \"\(entry.vault.prefix(64))\"") }
        let id = vault.id
        var c = vault.ceremony
        guard vault.status == .generating else { throw refused("the key generation of \(id) is over (\(vault.status.rawValue))") }
        guard entry.epoch == c.epoch else { throw refused("\(id) is at epoch \(c.epoch), not \(entry.epoch)") }
        guard let index = c.index(of: node) else { throw refused("\(node) does not take part in the key generation of \(id)") }
        switch entry {
        case .commit(_, _, let package, let chainCodeCommitment):
            guard c.commitments[node] == nil else { throw refused("\(node) already committed its round-1 package for \(id)") }
            guard chainCodeCommitment.count == 32 else { throw refused("a chain-code commitment has 32 bytes") }
            let context = VaultCeremony.context(genesisDigest: genesisDigest, vault: id, epoch: c.epoch)
            do {
                try VaultKeyGeneration.verify(vault.scheme, package: package, index: index, minSigners: c.minSigners, context: context)
            } catch {
                fail(id, reason: "the round-1 package of \(node) does not verify: \(error.reason)", culprits: [node], silent: [])
                return .failed
            }
            c.commitments[node] = .init(package: package, chainCodeCommitment: chainCodeCommitment, at: time)
            if c.commitments.count == c.participants.count {
                var packages: [Int: [UInt8]] = [:]
                for (i, p) in c.participants.enumerated() { packages[i + 1] = c.commitments[p]!.package }
                do { c.expected = try VaultKeyGeneration.outcome(vault.scheme, packages: packages, minSigners: c.minSigners) } catch {
                    vaults[id]!.ceremony = c
                    fail(id, reason: "the round-1 packages make no usable key: \(error.reason)", culprits: [], silent: [])
                    return .failed
                }
            }
            vaults[id]!.ceremony = c
            return .generating
        case .confirm(_, _, let groupKey, let transcriptDigest, let version, let reveal):
            guard let expected = c.expected else { throw refused("\(node) confirmed \(id) before every round-1 package was committed") }
            guard c.confirmations[node] == nil else { throw refused("\(node) already confirmed \(id)") }
            guard groupKey == expected.groupKey, transcriptDigest == expected.transcriptDigest else {
                fail(id, reason: "\(node) confirmed a key or transcript other than the log's", culprits: [node], silent: [])
                return .failed
            }
            guard JointRandomness.verifies(reveal: reveal, commitment: c.commitments[node]!.chainCodeCommitment,
                                           identifier: try Self.chainCodeIdentifier(index), label: Self.chainCodeLabel) else {
                fail(id, reason: "the chain-code reveal of \(node) does not match its commitment", culprits: [node], silent: [])
                return .failed
            }
            guard !version.isEmpty, version.printable(limit: 64) == version else { throw refused("a software version is printable ASCII") }
            c.confirmations[node] = .init(groupKey: groupKey, transcriptDigest: transcriptDigest, softwareVersion: version,
                                          chainCodeReveal: reveal, at: time)
            vaults[id]!.ceremony = c
            guard c.confirmations.count == c.participants.count else { return .generating }
            var commitments: [Identifier<Secp256k1SHA256>: [UInt8]] = [:]
            var reveals: [Identifier<Secp256k1SHA256>: [UInt8]] = [:]
            for (i, p) in c.participants.enumerated() {
                let k = try Self.chainCodeIdentifier(i + 1)
                commitments[k] = c.commitments[p]!.chainCodeCommitment
                reveals[k] = c.confirmations[p]!.chainCodeReveal
            }
            let chainCode: [UInt8]
            do { chainCode = try JointRandomness.combine(label: Self.chainCodeLabel, commitments: commitments, reveals: reveals) } catch {
                // Every reveal was checked as it came: unreachable, but never activate on doubt.
                fail(id, reason: "the chain code does not combine: \(error.reason)", culprits: [], silent: [])
                return .failed
            }
            // With an offline share the vault key is Y_on + Y_off; the nodes confirmed Y_on.
            var groupKey = expected.groupKey
            if let offline = vault.offline {
                do { groupKey = try VaultKeyGeneration.combinedKey(vault.scheme, online: expected.groupKey, offline: offline.offlineKey) } catch {
                    fail(id, reason: "the nodes' key and the offline key make no usable key: \(error.reason)", culprits: [], silent: [])
                    return .failed
                }
            }
            vaults[id]!.key = VaultKey(groupKey: groupKey, publicKeyPackage: expected.publicKeyPackage, chainCode: chainCode,
                                       activatedAt: time, activatedHeight: height)
            vaults[id]!.status = .active
            // Membership changed while the key was generated: the shares move to the members now
            // (not those of a vault with an offline share, which is never reshared).
            if vault.offline == nil, vaults[id]!.holders != shareMembership(of: vaults[id]!) { restartReshare(of: id, operationId: c.operationId, leavingOut: []) }
            advancePresigning()
            return .active
        case .complain(_, _, let accused, let evidence):
            guard accused != node, c.index(of: accused) != nil else {
                throw refused("\(node) accuses \(accused), which is not another participant of \(id)")
            }
            guard let accusedCommitment = c.commitments[accused], c.expected != nil else {
                throw refused("\(node) complained about \(id) before every round-1 package was committed")
            }
            guard let accusedMember = members.first(where: { $0.id == accused }) else {
                throw refused("\(accused) is no longer a voting member")
            }
            // The signed header decides whose the envelope is: one the accused signed for the
            // complainant's transport key in this ceremony's share round proves that whatever is
            // wrong inside it (a share that does not match the accused's commitments, or a
            // plaintext that is not a share for this vault, epoch and recipient) is the accused's.
            // Anything else is the complainant's own fabrication.
            let complainantTransport = members.first(where: { $0.id == node })?.transportKeyBytes
            guard evidence.header.sessionID == c.sessionID(genesisDigest: genesisDigest, vault: id),
                  evidence.header.round == VaultEntry.shareRound, evidence.header.sender == accusedMember.publicKeyBytes,
                  evidence.header.recipient == complainantTransport, evidence.isAuthentic
            else {
                fail(id, reason: "\(node) accused \(accused) with evidence that is not an envelope \(accused) signed for it in this ceremony",
                     culprits: [node], silent: [])
                return .failed
            }
            let message = try? VaultShareMessage(encoded: evidence.plaintext)
            let fits = message.map { $0.vault == id && $0.epoch == c.epoch && $0.signing == nil && $0.recipient == node } ?? false
            let matches = fits && ((try? VaultKeyGeneration.shareMatches(vault.scheme, package: accusedCommitment.package,
                                                                         share: message!.share, at: index)) ?? false)
            if matches {
                fail(id, reason: "\(node) accused \(accused) falsely: the share matches its commitments", culprits: [node], silent: [])
            } else {
                fail(id, reason: fits ? "\(accused) sent \(node) a share that does not match its commitments (signed evidence)"
                         : "\(accused) sent \(node) a signed envelope in this ceremony that is not a share for it (signed evidence)",
                     culprits: [accused], silent: [])
            }
            return .failed
        case .nonces, .signature, .blame, .timeout, .presigned, .ecdsaBlame, .presignEvidence, .refreshDeal, .refreshConfirm,
             .refreshComplaint:
            throw refused("not a key ceremony entry")
        }
    }

    /// A node's word that a deadline passed. The block's time has already ended what it ends
    /// (`advance(to:)` ran before this entry); the entry is refused, and recorded, only if the
    /// deadline it names has not passed by that time.
    private mutating func timeout(vault id: String, epoch: UInt32, request: String?, attempt: UInt32) throws(GovernanceError) -> GovernanceOutcome {
        guard let vault = vaults[id] else { throw GovernanceError(.unknownVault, "no vault \"\(id.prefix(64))\"") }
        if let request {
            if let s = signing[request], s.vault == id, s.status == .signing, s.attempt == attempt, s.deadline > time {
                throw GovernanceError(.ceremonyRefused, "attempt \(attempt) of request \(request) runs until \(s.deadline), not past at \(time)")
            }
        } else if vault.status == .generating, vault.epoch == epoch, vault.ceremony.deadline > time {
            throw GovernanceError(.ceremonyRefused, "the key generation of \(id) runs until \(vault.ceremony.deadline), not past at \(time)")
        } else if let r = vault.runningRefresh, r.epoch == epoch, r.deadline > time {
            throw GovernanceError(.ceremonyRefused, "the refresh of \(id) to epoch \(epoch) runs until \(r.deadline), not past at \(time)")
        }
        return .vault(id: id, status: vaults[id]!.status)
    }

    static func chainCodeIdentifier(_ index: Int) throws(GovernanceError) -> Identifier<Secp256k1SHA256> {
        do { return try Identifier<Secp256k1SHA256>(UInt64(index)) } catch {
            throw GovernanceError(.ceremonyRefused, "participant index \(index): \(error.reason)")
        }
    }

    private mutating func fail(_ id: String, reason: String, culprits: [NodeID], silent: [NodeID]) {
        vaults[id]!.status = .failed
        vaults[id]!.failure = VaultFailure(at: time, reason: reason, culprits: culprits, silent: silent)
    }
}
