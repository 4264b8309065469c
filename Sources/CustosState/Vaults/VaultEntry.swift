import Crypto
import CustosCore
import CustosCrypto
import CustosLedger

/// The log entries of a key ceremony. A node makes each one itself and signs it with its
/// Ed25519 identity key; every node checks the signature against the member the entry names
/// before the transition reads it, so no gateway can speak for a node.
///
/// - `vault.dkg.commit`: a participant's round-1 package and chain-code commitment (the log is
///   the broadcast channel);
/// - `vault.dkg.confirm`: the key it computed from its shares, the transcript digest, its
///   software version and its chain-code reveal;
/// - `vault.dkg.complaint`: a share it received that does not match its sender's commitments,
///   shown as the sender's signed envelope (`SignedEnvelope.Evidence`), so every node can check
///   who is lying.
public enum VaultEntry: Sendable, Equatable {
    case commit(vault: String, epoch: UInt32, package: [UInt8], chainCodeCommitment: [UInt8])
    case confirm(vault: String, epoch: UInt32, groupKey: [UInt8], transcriptDigest: [UInt8], softwareVersion: String, chainCodeReveal: [UInt8])
    case complain(vault: String, epoch: UInt32, accused: NodeID, evidence: SignedEnvelope.Evidence)

    public static let kindPrefix = "vault."
    public static let commitKind = "vault.dkg.commit"
    public static let confirmKind = "vault.dkg.confirm"
    public static let complaintKind = "vault.dkg.complaint"
    public static let kinds = [commitKind, confirmKind, complaintKind]

    /// The relay round of a ceremony's secret shares.
    public static let shareRound: UInt16 = 2

    /// Payload and authorization bounds: a round-1 package of up to 256 commitments fits.
    static let maximumPayloadBytes = 16 * 1024

    public var kind: String {
        switch self {
        case .commit: return Self.commitKind
        case .confirm: return Self.confirmKind
        case .complain: return Self.complaintKind
        }
    }

    public var vault: String {
        switch self {
        case .commit(let v, _, _, _), .confirm(let v, _, _, _, _, _), .complain(let v, _, _, _): return v
        }
    }

    public var epoch: UInt32 {
        switch self {
        case .commit(_, let e, _, _), .confirm(_, let e, _, _, _, _), .complain(_, let e, _, _): return e
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
        case .complain(_, _, let accused, let evidence):
            w.append(string: accused.rawValue)
            w.append(lengthPrefixed: evidence.header.sessionID)
            w.append(UInt32(evidence.header.round))
            w.append(lengthPrefixed: evidence.header.sender)
            w.append(lengthPrefixed: evidence.header.recipient)
            w.append(lengthPrefixed: evidence.plaintext)
            w.append(lengthPrefixed: evidence.signature)
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
            let accusedName = try r.string("accused", max: 64)
            let accused: NodeID
            do { accused = try NodeID(accusedName) } catch { throw r.fail("accused: \(error.reason)") }
            let session = try r.bytes("evidence session", max: 32)
            let round = try r.uint32("evidence round")
            let sender = try r.bytes("evidence sender", max: 32)
            let recipient = try r.bytes("evidence recipient", max: 32)
            let plaintext = try r.bytes("evidence plaintext", max: 1024)
            let signature = try r.bytes("evidence signature", max: 64)
            guard round <= UInt32(UInt16.max) else { throw r.fail("evidence round \(round) out of range") }
            let header: SignedEnvelope.Header
            do { header = try SignedEnvelope.Header(sessionID: session, round: UInt16(round), sender: sender, recipient: recipient) } catch {
                throw r.fail("evidence header: \(error.reason)")
            }
            self = .complain(vault: vault, epoch: epoch, accused: accused,
                             evidence: SignedEnvelope.Evidence(header: header, plaintext: plaintext, signature: signature))
        default:
            throw GovernanceError(.malformed, "unknown vault entry kind \(kind.printable(limit: 64))")
        }
        try r.finish()
    }

    // MARK: The member's signature

    static let signatureTag = "custos.vault.member-signature.v1"

    /// What a member signs for an entry: the cluster (genesis digest), the kind and the payload.
    public static func statement(genesisDigest: [UInt8], kind: String, payload: [UInt8]) -> [UInt8] {
        var w = CanonicalWriter(tag: signatureTag)
        w.append(lengthPrefixed: genesisDigest)
        w.append(string: kind)
        w.append(lengthPrefixed: payload)
        return Hashes.sha256(w.bytes)
    }

    /// The log entry, signed by `identity` for the cluster with `genesisDigest` (the governed
    /// state's `genesisDigest`).
    public func entry(signedBy identity: NodeIdentity, genesisDigest: [UInt8]) throws(LedgerError) -> Entry {
        let payload = self.payload
        let signature = identity.signDigest(Self.statement(genesisDigest: genesisDigest, kind: kind, payload: payload))
        var w = CanonicalWriter(tag: Self.signatureTag)
        w.append(string: identity.id.rawValue)
        w.append(lengthPrefixed: signature)
        return try Entry(kind: kind, payload: payload, authorization: w.bytes)
    }

    /// The member an entry's authorization names and its signature, decoded only.
    static func signer(of entry: Entry) throws(GovernanceError) -> (node: NodeID, signature: [UInt8]) {
        var r = try GovernanceReader(entry.authorization, tag: signatureTag, what: "\(entry.kind) authorization")
        let name = try r.string("member", max: 64)
        let signature = try r.bytes("signature", max: 64)
        try r.finish()
        guard signature.count == 64 else { throw r.fail("an Ed25519 signature has 64 bytes, not \(signature.count)") }
        do { return (try NodeID(name), signature) } catch { throw r.fail("member: \(error.reason)") }
    }

    /// Decodes `entry` and checks that a current member signed it for this cluster.
    static func verified(_ entry: Entry, members: [Member], genesisDigest: [UInt8]) throws(GovernanceError) -> (VaultEntry, Member) {
        let decoded = try VaultEntry(payload: entry.payload, kind: entry.kind)
        let (node, signature) = try signer(of: entry)
        guard let member = members.first(where: { $0.id == node }) else {
            throw GovernanceError(.unknownMember, "\(node) is not a voting member")
        }
        let statement = Self.statement(genesisDigest: genesisDigest, kind: entry.kind, payload: entry.payload)
        guard member.publicKey.isValidSignature(signature, for: statement) else {
            throw GovernanceError(.memberSignatureRefused, "the signature of \(node) on this \(entry.kind) does not verify")
        }
        return (decoded, member)
    }
}
