import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy

extension OfflineBundle {
    /// What an offline signer says when the cluster's members are not the ones it knows: setting
    /// it up again would make new vault keys, and its vaults could never sign again.
    static let setUpAgain = "if the cluster's members changed, bring its current cluster file here and run `custos offline update-cluster` "
        + "(setting the signer up again would lose its vault keys)"

    /// Checks the bundle against the cluster the offline signer was set up with (`trust`, from
    /// its `cluster.json`: the genesis and the members' keys), in this order, naming the first
    /// thing that is wrong:
    ///
    /// 1. the certificate is a quorum of valid member votes for exactly this block;
    /// 2. the request entry is in the block, is a `request.submit` for this cluster, and its id
    ///    (SHA-256 of its signing input) is the one the attestations name, decided in this block
    ///    (its height and time);
    /// 3. at least a quorum of distinct members signed the same `OfflineAttestation` for this
    ///    cluster, binding the member set the offline signer knows (attestations of any other
    ///    statement are left out: a corrupt member's cannot spoil the quorum's);
    /// 4. the statement says the request is allowed or approved, not frozen, not signed;
    /// 5. the policy text is the attested one (SHA-256) and compiles; the request is a message
    ///    request whose signing input for the vault's scheme is the attested message;
    /// 6. the policy, re-evaluated on the decoded request at the block's time with what the
    ///    offline signer can see (no windows, prices or history: rules that read them fail
    ///    closed or count nothing), does not deny it, and asks approvals only where the statement
    ///    counts them as given.
    ///
    /// Pure: no clock, no I/O. Whether the vault and its offline key are the signer's own is the
    /// caller's to check against its store (`statement.vault`, `statement.offlineKey`).
    public func verify(trust: ClusterConfiguration) throws(OfflineBundleError) -> VerifiedOfflineBundle {
        // 1. The block is committed.
        do { try certificate.verify(for: block, in: trust) } catch {
            let hint = error.code == .unknownMember ? "; \(Self.setUpAgain)" : ""
            throw OfflineBundleError(.certificate, "the block's certificate is refused: \(error.reason)\(hint)")
        }
        // 2. The request entry is in it.
        guard block.entries.indices.contains(requestIndex) else {
            throw OfflineBundleError(.request, "the certified block \(block.height) has \(block.entries.count) entries; the request's index is \(requestIndex)")
        }
        let entry = block.entries[requestIndex]
        guard entry.kind == RequestEntry.submitKind else {
            throw OfflineBundleError(.request, "entry \(requestIndex) of block \(block.height) is a \(entry.kind.printable(limit: 64)), not a request")
        }
        let signed: SignedRequest
        do { signed = try RequestBook.signedRequest(in: entry) } catch {
            throw OfflineBundleError(.request, "the request entry does not decode: \(error.reason)")
        }
        let genesis: [UInt8]
        do { genesis = try GenesisDocument(encoded: trust.genesisDocument).digest } catch {
            throw OfflineBundleError(.genesis, "the trusted cluster.json carries no governance genesis: \(error.reason)")
        }
        guard signed.cluster == genesis else { throw OfflineBundleError(.genesis, "the request was signed for another cluster") }
        let requestId = Hashes.sha256(signed.signingInput).hexString

        // 3. A quorum of members attests one statement. Attestations of other statements (a
        // corrupt member's, or one made before a policy change) do not count, and cannot spoil
        // the quorum's.
        var attested: [(member: NodeID, statement: OfflineAttestation)] = []
        for (i, attestation) in attestations.enumerated() {
            guard attestation.kind == OfflineAttestation.kind else {
                throw OfflineBundleError(.attestation, "attestation \(i) is a \(attestation.kind.printable(limit: 64)) entry")
            }
            let member: Member
            do { member = try MemberSignature.verifiedSigner(of: attestation, members: trust.members, genesisDigest: genesis) } catch {
                let hint = error.code == .unknownMember ? "; \(Self.setUpAgain)" : ""
                throw OfflineBundleError(.attestation, "attestation \(i) is refused: \(error.reason)\(hint)")
            }
            let decoded: OfflineAttestation
            do { decoded = try OfflineAttestation(encoded: attestation.payload) } catch {
                throw OfflineBundleError(.attestation, "the attestation of \(member.id) does not decode: \(error.reason)")
            }
            guard !attested.contains(where: { $0.member == member.id && $0.statement == decoded }) else {
                throw OfflineBundleError(.attestation, "\(member.id) attests twice")
            }
            attested.append((member.id, decoded))
        }
        // Only statements of this cluster, request and block count: attestations of another
        // request cannot outnumber this one's (review helper-143 L6). When none reaches a quorum,
        // what is wrong with the others is named.
        func mismatch(_ decoded: OfflineAttestation) -> OfflineBundleError? {
            if decoded.genesisDigest != genesis { return OfflineBundleError(.genesis, "the attestations are of another cluster") }
            if decoded.request != requestId {
                return OfflineBundleError(.request, "the attestations are of request \(decoded.request.prefix(16)), the certified entry is request \(requestId.prefix(16))")
            }
            if decoded.decidedHeight != block.height {
                return OfflineBundleError(.request, "the attestations say request \(requestId.prefix(16)) was decided at height \(decoded.decidedHeight), not in block \(block.height)")
            }
            return nil
        }
        var groups: [(statement: OfflineAttestation, members: Set<NodeID>)] = []
        for (member, decoded) in attested where mismatch(decoded) == nil {
            if let i = groups.firstIndex(where: { $0.statement == decoded }) { groups[i].members.insert(member) } else {
                groups.append((decoded, [member]))
            }
        }
        let best = groups.max { $0.members.count < $1.members.count }
        guard let best, best.members.count >= trust.quorum else {
            let count = best?.members.count ?? 0
            if count == 0, let wrong = attested.lazy.compactMap({ mismatch($0.statement) }).first { throw wrong }
            throw OfflineBundleError(
                .quorum, "\(count) member\(count == 1 ? "" : "s") attest\(count == 1 ? "s" : "") the same statement; "
                    + "\(trust.quorum) of \(trust.n) are needed")
        }
        let statement = best.statement
        let attesters = Array(best.members)
        guard statement.membersDigest == OfflineAttestation.membersDigest(of: trust.members) else {
            throw OfflineBundleError(.members, "the cluster's members are not the ones this offline signer knows; \(Self.setUpAgain)")
        }
        // The statement binds the certified block itself (where the members' state had it).
        guard statement.requestBlockHash.isEmpty || statement.requestBlockHash == block.hash.bytes else {
            throw OfflineBundleError(.request, "the attestations name another block at height \(block.height) than the certified one")
        }
        guard statement.decidedAt == block.timestamp else {
            throw OfflineBundleError(.request, "the attestations say request \(requestId.prefix(16)) was decided at \(statement.decidedAt), not in block \(block.height) at \(block.timestamp)")
        }

        // 4. The attested decision lets it be signed.
        guard !statement.frozen else { throw OfflineBundleError(.decision, "signing is frozen") }
        guard !statement.signed else { throw OfflineBundleError(.decision, "request \(requestId.prefix(16)) is signed already") }
        guard statement.outcome == .allowed || !statement.approvers.isEmpty else {
            throw OfflineBundleError(.decision, "the attestations say the request was approved, but name no approver")
        }

        // 5. The policy text and the message are the attested ones.
        guard ReplicatedState.policyDigest(of: policyYAML) == statement.policyDigest else {
            throw OfflineBundleError(.policy, "the policy text is not the one the members attest (version \(statement.policyVersion))")
        }
        let policy: CompiledPolicy
        do { policy = try CompiledPolicy(adopted: policyYAML) } catch {
            throw OfflineBundleError(.policy, "the attested policy does not compile here: \(error)")
        }
        guard MessageRequest.isMessage(signed.body) else {
            throw OfflineBundleError(.request, "request \(requestId.prefix(16)) is not a message request; an offline signer signs message requests only")
        }
        let request: MessageRequest
        let policyRequest: PolicyRequest
        let message: [UInt8]
        do {
            request = try MessageRequest(json: signed.body)
            policyRequest = try request.policyRequest()
            message = try MessageSigningInput.input(committedBody: JCS.canonicalBytes(signed.body), scheme: statement.scheme)
        } catch {
            throw OfflineBundleError(.request, "request \(requestId.prefix(16)) does not read as a message request: \(error.reason)")
        }
        guard request.initiator == signed.keyId, request.vault == statement.vault else {
            throw OfflineBundleError(.request, "request \(requestId.prefix(16)) names initiator \(request.initiator.printable(limit: 64)) and vault "
                + "\(request.vault.printable(limit: 64)); it was signed by \(signed.keyId.printable(limit: 64)) and the attestations are for vault \(statement.vault)")
        }
        guard message == statement.message else {
            throw OfflineBundleError(.message, "the attested message is not the signing input of request \(requestId.prefix(16)) for a \(statement.scheme.rawValue) vault")
        }

        // 6. The policy, re-evaluated here, does not say no.
        let decision = policy.evaluate(policyRequest, in: StateSnapshot(time: Int64(block.timestamp / 1000), frozen: false))
        let explanation = ReplicatedState.replayReason(decision)
        // Rolling windows are state an offline signer cannot see, and the statement does not
        // carry them: a decision that read one fails closed here (design: "else the rule fails closed").
        guard decision.windows.isEmpty else {
            throw OfflineBundleError(.decision, "the policy reads rolling windows here (\(decision.windows.map(\.limit).joined(separator: ", "))), "
                + "which an offline signer cannot see; it signs only requests whose rules read none")
        }
        switch decision.outcome {
        case .allow: break
        case .needsApprovals:
            guard statement.outcome == .approved else {
                throw OfflineBundleError(.decision, "the policy asks approvals here (\(explanation)), and the attestations count none")
            }
            // Who approved is the members' to count (the registry is not here), but never the
            // initiator, and never fewer people than a rule asks.
            let asked = decision.pending.map(\.count).max() ?? 0
            guard !statement.approvers.contains(request.initiator), statement.approvers.count >= asked else {
                throw OfflineBundleError(.decision, "the attestations count \(statement.approvers.joined(separator: ", ")) as approvers; "
                    + "the policy asks \(asked) people other than the initiator \(request.initiator)")
            }
        case .deny:
            throw OfflineBundleError(.decision, "the policy denies the request here: \(explanation)")
        }
        return VerifiedOfflineBundle(
            statement: statement, attesters: attesters.sorted(), request: request, height: block.height, blockTime: block.timestamp,
            decision: decision, explanation: explanation)
    }
}
