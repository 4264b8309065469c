import Crypto
import CustosCore
import CustosCrypto
import CustosLedger

/// The log entries of a vault's key ceremony and signing. A node makes each one itself and signs it with its
/// Ed25519 identity key; every node checks the signature against the member the entry names
/// before the transition reads it, so no gateway can speak for a node.
///
/// - `vault.dkg.commit`: a participant's round-1 package and chain-code commitment (the log is
///   the broadcast channel);
/// - `vault.dkg.confirm`: the key it computed from its shares, the transcript digest, its
///   software version and its chain-code reveal;
/// - `vault.dkg.complaint`: a share it received that does not match its sender's commitments,
///   shown as the sender's signed envelope (`SignedEnvelope.Evidence`), so every node can check
///   who is lying;
/// - `vault.frost.nonces`: a batch of FROST nonce commitments for the vault's pool;
/// - `vault.sign.signature`: the aggregated signature of a request, verified by every node;
/// - `vault.sign.blame`: a signature share that does not verify, as its sender's signed envelope;
/// - `vault.ecdsa.presigned`: a signer's round-4 confirmations of a presigning batch (the log is
///   the round-4 broadcast channel);
/// - `vault.ecdsa.blame`: a threshold-ECDSA signature share that does not verify, as its sender's
///   signed envelope, with the presigning run's public transcript that shows what it should be;
/// - `vault.ecdsa.presign.evidence`: a signer's reveal of an abandoned presigning run, with the
///   peers' messages it received in their senders' signed envelopes.
/// - `vault.refresh.deal`: a dealer's Feldman commitments to its resharing polynomial (the log
///   is the broadcast channel of a refresh or reshare, as of a key generation);
/// - `vault.refresh.confirm`: the transcript digest a receiver computed and its software version;
/// - `vault.refresh.complaint`: a share that does not match its sender's dealing, shown as the
///   sender's signed envelope.
///
/// The three `vault.refresh.*` kinds serve both runs of `VaultRefresh`: a `refresh-vault` and the
/// reshare of a vault to a new membership; the running run of the vault named says which.
public enum VaultEntry: Sendable, Equatable {
    case commit(vault: String, epoch: UInt32, package: [UInt8], chainCodeCommitment: [UInt8])
    case confirm(vault: String, epoch: UInt32, groupKey: [UInt8], transcriptDigest: [UInt8], softwareVersion: String, chainCodeReveal: [UInt8])
    case complain(vault: String, epoch: UInt32, accused: NodeID, evidence: SignedEnvelope.Evidence)
    /// FROST nonce commitments for the vault's pool; `batch` counts this node's batches for the
    /// vault's epoch from 0, so a replayed batch is refused.
    case nonces(vault: String, epoch: UInt32, batch: UInt32, commitments: [[UInt8]])
    /// The aggregated signature of a request's signing session.
    case signature(vault: String, epoch: UInt32, request: String, signature: [UInt8])
    /// A signer's share that does not verify, shown as its sender's signed envelope.
    case blame(vault: String, epoch: UInt32, request: String, attempt: UInt32, accused: NodeID, evidence: SignedEnvelope.Evidence)
    /// A deadline in block time has passed by the node's clock: a key ceremony's (no request) or
    /// a signing attempt's. Block time moves only with blocks, so a node that sees a deadline go
    /// by with nothing else to commit submits this; it changes nothing itself, but its block's
    /// time ends the ceremony or moves signing to the next attempt on every node.
    case timeout(vault: String, epoch: UInt32, request: String?, attempt: UInt32)
    /// A signer's round-4 confirmation of each run of presigning batch `batch`: the digest of
    /// the round-3 broadcasts it saw, or empty where its checks failed.
    case presigned(vault: String, epoch: UInt32, batch: UInt32, confirmations: [[UInt8]])
    /// A threshold-ECDSA signature share that does not verify: the accused's signed envelope and
    /// the public transcript (`ThresholdECDSA.PresignTranscript`) of the presignature it used.
    case ecdsaBlame(vault: String, epoch: UInt32, request: String, attempt: UInt32, accused: NodeID,
                    evidence: SignedEnvelope.Evidence, transcript: [UInt8])
    /// A signer's part of an abandoned presigning run `run` of `batch`: its reveal
    /// (`ThresholdECDSA.PresignReveal`) and the round-1 to round-3 messages its peers sent it.
    case presignEvidence(vault: String, epoch: UInt32, batch: UInt32, run: UInt16, reveal: [UInt8], envelopes: [SignedEnvelope.Evidence])
    /// A dealer's dealing in the refresh or reshare that takes the vault to `epoch`
    /// (`Reshare.Dealing`, wire encoding).
    case refreshDeal(vault: String, epoch: UInt32, dealing: [UInt8])
    /// A receiver's statement that it holds its new share of the transcript with this digest.
    case refreshConfirm(vault: String, epoch: UInt32, transcriptDigest: [UInt8], softwareVersion: String)
    /// A refresh or reshare share that does not match its sender's dealing, shown as its signed envelope.
    case refreshComplaint(vault: String, epoch: UInt32, accused: NodeID, evidence: SignedEnvelope.Evidence)

    public static let kindPrefix = "vault."
    public static let commitKind = "vault.dkg.commit"
    public static let confirmKind = "vault.dkg.confirm"
    public static let complaintKind = "vault.dkg.complaint"
    public static let noncesKind = "vault.frost.nonces"
    public static let signatureKind = "vault.sign.signature"
    public static let blameKind = "vault.sign.blame"
    public static let timeoutKind = "vault.timeout"
    public static let presignedKind = "vault.ecdsa.presigned"
    public static let ecdsaBlameKind = "vault.ecdsa.blame"
    public static let presignEvidenceKind = "vault.ecdsa.presign.evidence"
    public static let refreshDealKind = "vault.refresh.deal"
    public static let refreshConfirmKind = "vault.refresh.confirm"
    public static let refreshComplaintKind = "vault.refresh.complaint"
    public static let kinds = [commitKind, confirmKind, complaintKind, noncesKind, signatureKind, blameKind, timeoutKind, presignedKind,
                               ecdsaBlameKind, presignEvidenceKind, refreshDealKind, refreshConfirmKind, refreshComplaintKind]

    /// The relay round of a ceremony's secret shares.
    public static let shareRound: UInt16 = 2
    /// The relay round of signature shares.
    public static let signatureShareRound: UInt16 = 3
    /// The relay rounds of presigning: round 1 (commitments and secret evaluations), 2 and 3.
    public static let presignRounds: ClosedRange<UInt16> = 11...13
    /// The largest presigning message a node keeps (a whole batch's runs for one peer); a
    /// presigning blame shows such messages whole.
    public static let maximumPresignPlaintext = 4 * 1024
    /// The largest presigning transcript a blame can show (293 bytes per signer: 41 signers).
    static let maximumTranscriptBytes = 12 * 1024
    /// The largest envelope plaintext a complaint or blame can show as evidence; a node keeps no
    /// larger share message (it could never prove what is wrong with it).
    public static let maximumEvidencePlaintext = 1024
    /// At most this many commitments in one nonce batch.
    public static let maximumNonceBatch = 32

    /// Payload and authorization bounds: a round-1 package of up to 256 commitments fits.
    static let maximumPayloadBytes = 16 * 1024

    public var kind: String {
        switch self {
        case .commit: return Self.commitKind
        case .confirm: return Self.confirmKind
        case .complain: return Self.complaintKind
        case .nonces: return Self.noncesKind
        case .signature: return Self.signatureKind
        case .blame: return Self.blameKind
        case .timeout: return Self.timeoutKind
        case .presigned: return Self.presignedKind
        case .ecdsaBlame: return Self.ecdsaBlameKind
        case .presignEvidence: return Self.presignEvidenceKind
        case .refreshDeal: return Self.refreshDealKind
        case .refreshConfirm: return Self.refreshConfirmKind
        case .refreshComplaint: return Self.refreshComplaintKind
        }
    }

    public var vault: String {
        switch self {
        case .commit(let v, _, _, _), .confirm(let v, _, _, _, _, _), .complain(let v, _, _, _), .nonces(let v, _, _, _),
             .signature(let v, _, _, _), .blame(let v, _, _, _, _, _), .timeout(let v, _, _, _), .presigned(let v, _, _, _),
             .ecdsaBlame(let v, _, _, _, _, _, _), .presignEvidence(let v, _, _, _, _, _), .refreshDeal(let v, _, _),
             .refreshConfirm(let v, _, _, _), .refreshComplaint(let v, _, _, _): return v
        }
    }

    public var epoch: UInt32 {
        switch self {
        case .commit(_, let e, _, _), .confirm(_, let e, _, _, _, _), .complain(_, let e, _, _), .nonces(_, let e, _, _),
             .signature(_, let e, _, _), .blame(_, let e, _, _, _, _), .timeout(_, let e, _, _), .presigned(_, let e, _, _),
             .ecdsaBlame(_, let e, _, _, _, _, _), .presignEvidence(_, let e, _, _, _, _), .refreshDeal(_, let e, _),
             .refreshConfirm(_, let e, _, _), .refreshComplaint(_, let e, _, _): return e
        }
    }

    static let tag = "custos.vault.entry.v1"

    /// The canonical payload.
    public var payload: [UInt8] {
        var w = CanonicalWriter(tag: Self.tag)
        w.append(string: kind)
        w.append(string: vault)
        w.append(epoch)
        switch self {
        case .commit(_, _, let package, let commitment):
            w.append(lengthPrefixed: package)
            w.append(lengthPrefixed: commitment)
        case .confirm(_, _, let key, let transcript, let version, let reveal):
            w.append(lengthPrefixed: key)
            w.append(lengthPrefixed: transcript)
            w.append(string: version)
            w.append(lengthPrefixed: reveal)
        case .nonces(_, _, let batch, let commitments):
            w.append(batch)
            w.append(UInt32(commitments.count))
            for c in commitments { w.append(lengthPrefixed: c) }
        case .signature(_, _, let request, let signature):
            w.append(string: request)
            w.append(lengthPrefixed: signature)
        case .blame(_, _, let request, let attempt, let accused, let evidence):
            w.append(string: request)
            w.append(attempt)
            w.append(string: accused.rawValue)
            w.append(evidence)
        case .timeout(_, _, let request, let attempt):
            w.append(optional: request.map { Array($0.utf8) })
            w.append(attempt)
        case .presigned(_, _, let batch, let confirmations):
            w.append(batch)
            w.append(UInt32(confirmations.count))
            for c in confirmations { w.append(lengthPrefixed: c) }
        case .ecdsaBlame(_, _, let request, let attempt, let accused, let evidence, let transcript):
            w.append(string: request)
            w.append(attempt)
            w.append(string: accused.rawValue)
            w.append(evidence)
            w.append(lengthPrefixed: transcript)
        case .presignEvidence(_, _, let batch, let run, let reveal, let envelopes):
            w.append(batch)
            w.append(UInt32(run))
            w.append(lengthPrefixed: reveal)
            w.append(UInt32(envelopes.count))
            for e in envelopes { w.append(e) }
        case .refreshDeal(_, _, let dealing):
            w.append(lengthPrefixed: dealing)
        case .refreshConfirm(_, _, let transcript, let version):
            w.append(lengthPrefixed: transcript)
            w.append(string: version)
        case .complain(_, _, let accused, let evidence), .refreshComplaint(_, _, let accused, let evidence):
            w.append(string: accused.rawValue)
            w.append(evidence)
        }
        return w.bytes
    }

    /// Decodes the payload of an entry of one of `kinds`; the payload must name the entry's kind.
    public init(payload bytes: [UInt8], kind: String) throws(GovernanceError) {
        guard bytes.count <= Self.maximumPayloadBytes else {
            throw GovernanceError(.malformed, "\(kind) payload of \(bytes.count) bytes, more than \(Self.maximumPayloadBytes)")
        }
        var r = try GovernanceReader(bytes, tag: Self.tag, what: kind)
        let named = try r.string("kind")
        guard named == kind else { throw r.fail("names kind \(named.printable(limit: 64)), not the entry's \(kind)") }
        let vault = try r.string("vault")
        let epoch = try r.uint32("epoch")
        switch kind {
        case Self.commitKind:
            self = .commit(vault: vault, epoch: epoch, package: try r.bytes("round-1 package", max: 12 * 1024),
                           chainCodeCommitment: try r.bytes("chain-code commitment", max: 32))
        case Self.confirmKind:
            self = .confirm(vault: vault, epoch: epoch, groupKey: try r.bytes("group key", max: 33),
                            transcriptDigest: try r.bytes("transcript digest", max: 32),
                            softwareVersion: try r.string("software version", max: 64),
                            chainCodeReveal: try r.bytes("chain-code reveal", max: 32))
        case Self.complaintKind:
            self = .complain(vault: vault, epoch: epoch, accused: try r.node("accused"), evidence: try r.evidence())
        case Self.noncesKind:
            let batch = try r.uint32("batch")
            let count = Int(try r.uint32("commitment count"))
            guard (1...Self.maximumNonceBatch).contains(count) else { throw r.fail("a nonce batch has 1 to \(Self.maximumNonceBatch) commitments, not \(count)") }
            var commitments: [[UInt8]] = []
            for i in 0..<count { commitments.append(try r.bytes("commitment \(i)", max: 128)) }
            self = .nonces(vault: vault, epoch: epoch, batch: batch, commitments: commitments)
        case Self.signatureKind:
            self = .signature(vault: vault, epoch: epoch, request: try r.string("request", max: 128),
                              signature: try r.bytes("signature", max: 128))
        case Self.blameKind:
            let request = try r.string("request", max: 128)
            let attempt = try r.uint32("attempt")
            self = .blame(vault: vault, epoch: epoch, request: request, attempt: attempt, accused: try r.node("accused"),
                          evidence: try r.evidence())
        case Self.timeoutKind:
            let request = try r.optional("request", max: 128).map { String(decoding: $0, as: UTF8.self) }
            self = .timeout(vault: vault, epoch: epoch, request: request, attempt: try r.uint32("attempt"))
        case Self.presignedKind:
            let batch = try r.uint32("batch")
            let count = Int(try r.uint32("confirmation count"))
            guard (1...PresignBatch.size).contains(count) else { throw r.fail("a presigning batch has 1 to \(PresignBatch.size) runs, not \(count)") }
            var confirmations: [[UInt8]] = []
            for i in 0..<count {
                let digest = try r.bytes("confirmation \(i)", max: 32)
                guard digest.isEmpty || digest.count == 32 else { throw r.fail("confirmation \(i) has \(digest.count) bytes, not 32 or none") }
                confirmations.append(digest)
            }
            self = .presigned(vault: vault, epoch: epoch, batch: batch, confirmations: confirmations)
        case Self.ecdsaBlameKind:
            let request = try r.string("request", max: 128)
            let attempt = try r.uint32("attempt")
            self = .ecdsaBlame(vault: vault, epoch: epoch, request: request, attempt: attempt, accused: try r.node("accused"),
                               evidence: try r.evidence(), transcript: try r.bytes("transcript", max: Self.maximumTranscriptBytes))
        case Self.presignEvidenceKind:
            let batch = try r.uint32("batch")
            let run = try r.uint32("run")
            guard run < UInt32(PresignBatch.size) else { throw r.fail("run \(run) of a batch of \(PresignBatch.size)") }
            let reveal = try r.bytes("reveal", max: 2048)
            let count = Int(try r.uint32("envelope count"))
            guard count <= 3 * 16 else { throw r.fail("\(count) envelopes; a presigning blame shows at most three per peer") }
            var envelopes: [SignedEnvelope.Evidence] = []
            for _ in 0..<count { envelopes.append(try r.evidence(maximumPlaintext: Self.maximumPresignPlaintext)) }
            self = .presignEvidence(vault: vault, epoch: epoch, batch: batch, run: UInt16(run), reveal: reveal, envelopes: envelopes)
        case Self.refreshDealKind:
            self = .refreshDeal(vault: vault, epoch: epoch, dealing: try r.bytes("dealing", max: 12 * 1024))
        case Self.refreshConfirmKind:
            self = .refreshConfirm(vault: vault, epoch: epoch, transcriptDigest: try r.bytes("transcript digest", max: 32),
                                   softwareVersion: try r.string("software version", max: 64))
        case Self.refreshComplaintKind:
            self = .refreshComplaint(vault: vault, epoch: epoch, accused: try r.node("accused"), evidence: try r.evidence())
        default:
            throw GovernanceError(.malformed, "unknown vault entry kind \(kind.printable(limit: 64))")
        }
        try r.finish()
    }

    // MARK: The member's signature

    /// The log entry, signed by `identity` for the cluster with `genesisDigest` (the governed
    /// state's `genesisDigest`), as `MemberSignature` says.
    public func entry(signedBy identity: NodeIdentity, genesisDigest: [UInt8]) throws(LedgerError) -> Entry {
        try MemberSignature.entry(kind: kind, payload: payload, signedBy: identity, genesisDigest: genesisDigest)
    }

    /// The member that signed a `vault.*` entry, read from the entry alone (its row of
    /// `ReplicatedState.entryKinds`): the payload decodes as the entry's kind and the
    /// authorization names a member and carries a 64-byte signature. Whether it verifies, and
    /// whether the node is a member, is the state's question.
    static func memberSigner(of entry: Entry) throws(GovernanceError) -> EntrySigner {
        _ = try VaultEntry(payload: entry.payload, kind: entry.kind)
        return EntrySigner(role: .member, id: try MemberSignature.signer(of: entry).node.rawValue)
    }

    /// Decodes `entry` and checks that a current member signed it for this cluster.
    static func verified(_ entry: Entry, members: [Member], genesisDigest: [UInt8]) throws(GovernanceError) -> (VaultEntry, Member) {
        let decoded = try VaultEntry(payload: entry.payload, kind: entry.kind)
        return (decoded, try MemberSignature.verifiedSigner(of: entry, members: members, genesisDigest: genesisDigest))
    }
}

extension CanonicalWriter {
    /// A relay envelope shown as evidence: header fields, plaintext and the sender's signature.
    mutating func append(_ evidence: SignedEnvelope.Evidence) {
        append(lengthPrefixed: evidence.header.sessionID)
        append(UInt32(evidence.header.round))
        append(lengthPrefixed: evidence.header.sender)
        append(lengthPrefixed: evidence.header.recipient)
        append(lengthPrefixed: evidence.plaintext)
        append(lengthPrefixed: evidence.signature)
    }
}

extension CanonicalReader where Code == GovernanceErrorCode {
    mutating func node(_ field: String) throws(GovernanceError) -> NodeID {
        let name = try string(field, max: 64)
        do { return try NodeID(name) } catch { throw fail("\(field): \(error.reason)") }
    }

    mutating func evidence(maximumPlaintext: Int = VaultEntry.maximumEvidencePlaintext) throws(GovernanceError) -> SignedEnvelope.Evidence {
        let session = try bytes("evidence session", max: 32)
        let round = try uint32("evidence round")
        let sender = try bytes("evidence sender", max: 32)
        let recipient = try bytes("evidence recipient", max: 32)
        let plaintext = try bytes("evidence plaintext", max: maximumPlaintext)
        let signature = try bytes("evidence signature", max: 64)
        guard round <= UInt32(UInt16.max) else { throw fail("evidence round \(round) out of range") }
        let header: SignedEnvelope.Header
        do { header = try SignedEnvelope.Header(sessionID: session, round: UInt16(round), sender: sender, recipient: recipient) } catch {
            throw fail("evidence header: \(error.reason)")
        }
        return SignedEnvelope.Evidence(header: header, plaintext: plaintext, signature: signature)
    }
}
