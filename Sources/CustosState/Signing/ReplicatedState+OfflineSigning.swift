import Crypto
import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosPolicy

/// The entry by which the offline signer's answer reaches the log (air-gapped signing, #15 item
/// 3): kind `vault.offline.share`, payload an `OfflineResponse` whose own signature (the offline
/// identity key the vault's enrolment registered) authenticates it, so any operator may submit it.
public enum OfflineShareEntry {
    public static let kind = "vault.offline.share"
    /// A response and the entry's framing.
    public static let maximumBytes = OfflineResponse.maximumBytes + 64

    /// The entry carrying `response`.
    public static func entry(_ response: OfflineResponse) throws(LedgerError) -> Entry {
        try Entry(kind: kind, payload: response.serializedBytes)
    }

    /// Who signed it, read from the entry alone: the offline signer of the vault it names. The
    /// signature is checked against that vault's enrolment in the state transition.
    static func signer(of entry: Entry) throws(GovernanceError) -> EntrySigner {
        guard entry.authorization.isEmpty else {
            throw GovernanceError(.malformed, "a \(kind) entry is authenticated by the response's own signature, and carries no authorization")
        }
        let response = try OfflineResponse(serializedBytes: entry.payload)
        return EntrySigner(role: .offlineSigner, id: response.vault)
    }
}

extension OfflineAttestation {
    /// The member that signed an attestation entry, read from the entry alone.
    static func signer(of entry: Entry) throws(GovernanceError) -> EntrySigner {
        _ = try OfflineAttestation(encoded: entry.payload)
        return EntrySigner(role: .member, id: try MemberSignature.signer(of: entry).node.rawValue)
    }
}

extension ReplicatedState {
    /// The offline signer's part of the current attempt's package: its answer's commitments and
    /// the vault's Y_off; nil for a vault without an offline share or before the answer.
    public static func offlineAdditive(_ s: SigningSession, _ vault: Vault) -> FROSTSigningCheck.Additive? {
        guard let enrolment = vault.offline, let answer = s.offline?.answer else { return nil }
        return .init(commitments: answer.commitments, publicKey: enrolment.offlineKey)
    }

    /// What this state says of the current attempt of `request`'s signing session, for a vault with
    /// an offline share: the statement every member attests (`vault.offline.attest`) and the offline
    /// signer checks. Refused while the attempt is not waiting for the offline answer, while signing
    /// is frozen, or when the request may not be signed now (not allowed, its destination held).
    public func offlineStatement(for request: String) throws(GovernanceError) -> OfflineAttestation {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.ceremonyRefused, reason) }
        guard let s = signing[request] else { throw refused("no signing session for request \(request.printable(limit: 128))") }
        guard let vault = vaults[s.vault], vault.status == .active, let key = vault.key, let enrolment = vault.offline else {
            throw refused("vault \(s.vault) is not an active vault with an offline share")
        }
        guard s.status == .signing, let attempt = s.offline, attempt.answer == nil else {
            throw refused("request \(request) has no attempt waiting for the offline signer (it is \(s.status.rawValue))")
        }
        guard !frozen else { throw refused("signing is frozen") }
        guard let recorded = requestBook.requests[request], recorded.isAllowed else {
            throw refused("request \(request) is not allowed by the policy in the committed state")
        }
        if let held = heldDestination(of: recorded.request) {
            throw refused("request \(request) is not signed: \(held.hold.text(entry: held.entry))")
        }
        let memberIds = Set(members.map(\.id))
        guard s.signers.allSatisfy(memberIds.contains) else { throw refused("a signer of attempt \(s.attempt) is no longer a member") }
        let approved = recorded.decision.outcome != .allow
        var rules: [String] = []
        if approved {
            for p in recorded.decision.pending where !rules.contains(p.rule) { rules.append(p.rule) }
        } else if case .allowedByRule(let rule) = recorded.decision.reason {
            rules = [rule]
        }
        return OfflineAttestation(
            genesisDigest: genesisDigest, membersDigest: OfflineAttestation.membersDigest(of: members), vault: vault.id,
            scheme: vault.scheme, epoch: s.epoch, groupKey: key.groupKey, offlineKey: enrolment.offlineKey,
            offlineIdentity: enrolment.identityKey, request: request, decidedAt: recorded.blockTime, decidedHeight: recorded.height, requestBlockHash: recorded.blockHash, attempt: s.attempt,
            attemptStartedAt: s.startedAt, message: s.message,
            signers: s.signers.map { .init(node: $0, identifier: UInt32(vault.index(of: $0)!), commitment: s.commitments[$0]!) },
            policyVersion: UInt64(policyVersion), policyDigest: Self.policyDigest(of: policyYAML), outcome: approved ? .approved : .allowed,
            rules: rules, approvers: approved ? countedApprovers(of: recorded) : [], frozen: false, signed: false)
    }

    /// A member's `vault.offline.attest`: its signature is a current member's for this cluster, it
    /// attests the current attempt, its statement is, byte for byte, the one this state makes
    /// (`offlineStatement(for:)`), and the member has not attested that statement yet (it attests
    /// again after the statement changed). Recorded with the block height that carries it and the
    /// statement's digest.
    mutating func applyOfflineAttestation(_ entry: Entry) -> GovernanceOutcome {
        // Named in a refusal only once its signature verified (a forger names anyone).
        var member: NodeID? = nil
        do throws(GovernanceError) {
            let statement = try OfflineAttestation(encoded: entry.payload)
            let signer = try MemberSignature.verifiedSigner(of: entry, members: members, genesisDigest: genesisDigest)
            member = signer.id
            let own = try offlineStatement(for: statement.request)
            guard statement.attempt == own.attempt else {
                throw GovernanceError(.ceremonyRefused, "\(signer.id) attests attempt \(statement.attempt) of request \(statement.request); attempt \(own.attempt) is under way")
            }
            let digest = Hashes.sha256(own.encoded)
            guard signing[statement.request]!.offline!.attestations[signer.id]?.statement != digest else {
                throw GovernanceError(.ceremonyRefused, "\(signer.id) attested attempt \(statement.attempt) of request \(statement.request) already")
            }
            guard statement.encoded == own.encoded else {
                throw GovernanceError(.ceremonyRefused, "\(signer.id) attests a statement of request \(statement.request) that differs from this node's state")
            }
            // A member attests again only when its earlier statement is no longer this state's.
            signing[statement.request]!.offline!.attestations[signer.id] = .init(height: height, statement: digest)
            return .offlineAttested(requestId: statement.request, attempt: statement.attempt, member: signer.id.rawValue)
        } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: member?.rawValue, error: error))
            return .refused(error)
        }
    }

    /// The offline signer's `vault.offline.share`: signed by the identity key the vault's enrolment
    /// registered, for this cluster, vault, request and the attempt under way, the first answer of
    /// that attempt. Its share is checked against Y_off over the package every node builds from
    /// the log (the online signers' commitments, its commitments, the message): one that does not
    /// verify ends the attempt, blaming the offline signer, and the next attempt needs a new bundle.
    /// A valid one starts the online signers' part, due by `signing.attempt_timeout`.
    mutating func applyOfflineShare(_ entry: Entry) -> GovernanceOutcome {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.offlineRefused, reason) }
        var vaultId: String? = nil
        do throws(GovernanceError) {
            guard entry.authorization.isEmpty else { throw GovernanceError(.malformed, "a \(OfflineShareEntry.kind) entry carries no authorization") }
            let response = try OfflineResponse(serializedBytes: entry.payload)
            // Who may answer is the vault's enrolled offline signer: anything else is not authenticated
            // (the gateway refuses it at admission, review helper-142 M1).
            guard let vault = vaults[response.vault], let enrolment = vault.offline else {
                throw GovernanceError(.offlineSignatureRefused, "no vault \"\(response.vault.printable(limit: 64))\" has an offline signer")
            }
            guard let identity = try? Curve25519.Signing.PublicKey(rawRepresentation: enrolment.identityKey),
                  identity.isValidSignature(response.signature, for: response.signedBytes)
            else {
                throw GovernanceError(.offlineSignatureRefused, "the answer is not signed by the offline signer of vault \(vault.id)")
            }
            // Named in a refusal only once its signature verified.
            vaultId = vault.id
            guard vault.status == .active, let key = vault.key else {
                throw refused("vault \(vault.id) is not active")
            }
            guard let s = signing[response.request], s.vault == vault.id else {
                throw refused("no signing session of \(vault.id) for request \(response.request.printable(limit: 128))")
            }
            try response.verify(genesisDigest: genesisDigest, vault: vault.id, scheme: vault.scheme, request: s.requestId, attempt: s.attempt,
                                identityKey: enrolment.identityKey)
            guard s.status == .signing, let attempt = s.offline else {
                throw refused("request \(s.requestId) has no attempt waiting for the offline signer (it is \(s.status.rawValue))")
            }
            guard attempt.answer == nil else { throw refused("attempt \(s.attempt) of request \(s.requestId) has its offline answer already") }
            guard !frozen else { throw refused("signing is frozen") }
            // An answer for a request that may no longer be signed (dropped from the book, its
            // destination held) is refused at once, without blame (review helper-143 L4).
            do { _ = try offlineStatement(for: s.requestId) } catch { throw refused("the answer cannot be used: \(error.reason)") }
            var commitments: [Int: [UInt8]] = [:]
            for signer in s.signers { commitments[vault.index(of: signer)!] = s.commitments[signer]! }
            let additive = FROSTSigningCheck.Additive(commitments: response.commitments, publicKey: enrolment.offlineKey)
            let valid: Bool
            do {
                valid = try FROSTSigningCheck.shareVerifies(vault.scheme, key: key, commitments: commitments, message: s.message,
                                                            share: response.share, signer: Int(FROST<Ed25519SHA512>.additiveIdentifierValue),
                                                            additive: additive)
            } catch {
                // The response decoded; what fails here is its commitments in the package.
                valid = false
            }
            guard valid else {
                let reason = "the offline signer's share for attempt \(s.attempt) does not verify"
                signing[s.requestId]!.blames.append(.init(attempt: s.attempt, culprit: nil, reason: reason, at: time))
                retry(s.requestId, reason: reason)
                return .offlineAnswered(requestId: s.requestId, attempt: s.attempt, valid: false)
            }
            signing[s.requestId]!.offline!.answer = .init(commitments: response.commitments, share: response.share, at: time, height: height)
            signing[s.requestId]!.deadline = time + policy.document.signing.afterOfflineAnswerMillis
            return .offlineAnswered(requestId: s.requestId, attempt: s.attempt, valid: true)
        } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: vaultId.map { "offline signer of \($0.printable(limit: 64))" },
                           error: error))
            return .refused(error)
        }
    }
}
