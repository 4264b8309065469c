import CustosCore
import CustosCrypto
import CustosLedger

/// What a node states, from its own committed state, when a signing attempt of a vault with an
/// offline share starts (air-gapped signing, #15 item 3): the cluster, the vault and its key,
/// the request and when it was decided, the attempt with its online signers and their nonce
/// commitments, the message every node derived, the policy in force and the decision that lets
/// the request be signed. Each node posts it as a `vault.offline.attest` entry signed with its
/// identity key (`MemberSignature`); every node refuses one whose statement differs from what its
/// own state says, and the offline signer needs a quorum of members attesting the same
/// statement (`OfflineBundle.verify(trust:)`).
public struct OfflineAttestation: Sendable, Hashable {
    /// How the request came to be signable.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// An allow rule matched when it was decided.
        case allowed
        /// A require rule held it, and the approvals it asked for are in the log.
        case approved
    }

    /// An online signer of the attempt: its node, its FROST identifier in the vault's key and
    /// the nonce commitment the log assigned it (FROST wire encoding).
    public struct Signer: Sendable, Hashable {
        public let node: NodeID
        public let identifier: UInt32
        public let commitment: [UInt8]

        public init(node: NodeID, identifier: UInt32, commitment: [UInt8]) {
            self.node = node
            self.identifier = identifier
            self.commitment = commitment
        }
    }

    /// The governed state's genesis digest (`ReplicatedState.genesisDigest`).
    public let genesisDigest: [UInt8]
    /// `membersDigest(of:)` of the voting members the node knows.
    public let membersDigest: [UInt8]
    public let vault: String
    public let scheme: Vault.Scheme
    public let epoch: UInt32
    /// The vault key Y = Y_on + Y_off in the scheme's encoding.
    public let groupKey: [UInt8]
    /// The offline signer's key Y_off and its Ed25519 identity key, as its enrolment registered them.
    public let offlineKey: [UInt8]
    public let offlineIdentity: [UInt8]
    public let request: String
    /// Block time and height of the block that committed (and decided) the request.
    public let decidedAt: UInt64
    public let decidedHeight: UInt64
    /// The hash of that block: a quorum of the members in force vouches for it, so the offline
    /// signer accepts a block certified by members since replaced (empty where the state applies
    /// entries without their blocks).
    public let requestBlockHash: [UInt8]
    public let attempt: UInt32
    /// Block time at which the attempt started.
    public let attemptStartedAt: UInt64
    /// What is signed, as every node derived it from the committed request.
    public let message: [UInt8]
    /// The online signers, by identifier.
    public let signers: [Signer]
    public let policyVersion: UInt64
    /// SHA-256 of the policy text in force (`ReplicatedState.policyDigest(of:)`).
    public let policyDigest: [UInt8]
    public let outcome: Outcome
    /// The rule that allowed the request, or the require rules its approvals filled, by name.
    public let rules: [String]
    /// The people whose approvals counted, by id, sorted (empty for `allowed`).
    public let approvers: [String]
    /// Signing frozen, and the request signed already, at the node's state: a node attests
    /// neither; the offline signer refuses both.
    public let frozen: Bool
    public let signed: Bool

    public init(
        genesisDigest: [UInt8], membersDigest: [UInt8], vault: String, scheme: Vault.Scheme, epoch: UInt32, groupKey: [UInt8],
        offlineKey: [UInt8], offlineIdentity: [UInt8], request: String, decidedAt: UInt64, decidedHeight: UInt64, requestBlockHash: [UInt8], attempt: UInt32,
        attemptStartedAt: UInt64, message: [UInt8], signers: [Signer], policyVersion: UInt64, policyDigest: [UInt8], outcome: Outcome, rules: [String],
        approvers: [String], frozen: Bool, signed: Bool
    ) {
        self.genesisDigest = genesisDigest
        self.membersDigest = membersDigest
        self.vault = vault
        self.scheme = scheme
        self.epoch = epoch
        self.groupKey = groupKey
        self.offlineKey = offlineKey
        self.offlineIdentity = offlineIdentity
        self.request = request
        self.decidedAt = decidedAt
        self.decidedHeight = decidedHeight
        self.requestBlockHash = requestBlockHash
        self.attempt = attempt
        self.attemptStartedAt = attemptStartedAt
        self.message = message
        self.signers = signers.sorted { $0.identifier < $1.identifier }
        self.policyVersion = policyVersion
        self.policyDigest = policyDigest
        self.outcome = outcome
        self.rules = rules
        self.approvers = approvers.sorted()
        self.frozen = frozen
        self.signed = signed
    }

    /// The entry kind that carries an attestation.
    public static let kind = "vault.offline.attest"
    static let tag = "custos.offline.attestation.v2"
    /// The largest encoded statement.
    public static let maximumBytes = 48 * 1024
    /// The largest message a statement carries.
    static let maximumMessageBytes = 16 * 1024
    static let maximumSigners = 256

    /// SHA-256 over the members' ids and identity keys in id order: a statement binds the member
    /// set, so an offline signer set up with another one can tell.
    public static func membersDigest(of members: [Member]) -> [UInt8] {
        var w = CanonicalWriter(tag: "custos.offline.members.v1")
        let sorted = members.sorted { $0.id < $1.id }
        w.append(UInt32(sorted.count))
        for m in sorted {
            w.append(string: m.id.rawValue)
            w.append(lengthPrefixed: m.publicKeyBytes)
        }
        return Hashes.sha256(w.bytes)
    }

    /// The canonical encoding (the entry's payload).
    public var encoded: [UInt8] {
        var w = CanonicalWriter(tag: Self.tag)
        w.append(lengthPrefixed: genesisDigest)
        w.append(lengthPrefixed: membersDigest)
        w.append(string: vault)
        w.append(string: scheme.rawValue)
        w.append(epoch)
        w.append(lengthPrefixed: groupKey)
        w.append(lengthPrefixed: offlineKey)
        w.append(lengthPrefixed: offlineIdentity)
        w.append(string: request)
        w.append(decidedAt)
        w.append(decidedHeight)
        w.append(lengthPrefixed: requestBlockHash)
        w.append(attempt)
        w.append(attemptStartedAt)
        w.append(lengthPrefixed: message)
        w.append(UInt32(signers.count))
        for s in signers {
            w.append(string: s.node.rawValue)
            w.append(s.identifier)
            w.append(lengthPrefixed: s.commitment)
        }
        w.append(policyVersion)
        w.append(lengthPrefixed: policyDigest)
        w.append(string: outcome.rawValue)
        w.append(strings: rules)
        w.append(strings: approvers)
        w.append(frozen)
        w.append(signed)
        return w.bytes
    }

    /// Decodes strictly, naming the field that is wrong: sizes, the scheme, signers in ascending
    /// identifier order without repeats, approvers sorted without repeats, no trailing bytes.
    public init(encoded bytes: [UInt8]) throws(GovernanceError) {
        guard bytes.count <= Self.maximumBytes else {
            throw GovernanceError(.malformed, "an offline attestation of \(bytes.count) bytes, more than \(Self.maximumBytes)")
        }
        var r = try GovernanceReader(bytes, tag: Self.tag, what: "offline attestation")
        let genesis = try r.bytes("genesis digest", max: 32)
        let members = try r.bytes("members digest", max: 32)
        guard genesis.count == 32, members.count == 32 else { throw r.fail("a genesis or members digest has 32 bytes") }
        let vault = try r.string("vault", max: OfflineWire.maximumIDLength)
        let schemeName = try r.string("scheme", max: 32)
        guard let scheme = Vault.Scheme(rawValue: schemeName), scheme != .ecdsaSecp256k1 else {
            throw r.fail("scheme \(schemeName.printable(limit: 32)) is not a FROST scheme")
        }
        let epoch = try r.uint32("epoch")
        let groupKey = try r.bytes("group key", max: 33)
        let offlineKey = try r.bytes("offline key", max: 33)
        let offlineIdentity = try r.bytes("offline identity key", max: 32)
        let keyLength = scheme == .frostEd25519 ? 32 : 33
        guard groupKey.count == keyLength, offlineKey.count == keyLength, offlineIdentity.count == 32 else {
            throw r.fail("a \(scheme.rawValue) key has \(keyLength) bytes and an identity key 32")
        }
        let request = try r.string("request", max: 128)
        let decidedAt = try r.uint64("decided at")
        let decidedHeight = try r.uint64("decided height")
        let requestBlockHash = try r.bytes("request block hash", max: 32)
        guard requestBlockHash.isEmpty || requestBlockHash.count == 32 else { throw r.fail("a block hash has 32 bytes") }
        let attempt = try r.uint32("attempt")
        let startedAt = try r.uint64("attempt started at")
        let message = try r.bytes("message", max: Self.maximumMessageBytes)
        let count = try r.count("signer count", max: Self.maximumSigners)
        var signers: [Signer] = []
        for i in 0..<count {
            let node = try r.node("signer \(i)")
            let identifier = try r.uint32("signer \(i) identifier")
            let commitment = try r.bytes("signer \(i) commitment", max: 128)
            if let last = signers.last, last.identifier >= identifier { throw r.fail("signers are not in ascending identifier order at \(node)") }
            signers.append(Signer(node: node, identifier: identifier, commitment: commitment))
        }
        let version = try r.uint64("policy version")
        let policyDigest = try r.bytes("policy digest", max: 32)
        guard policyDigest.count == 32 else { throw r.fail("a policy digest has 32 bytes") }
        let outcomeName = try r.string("outcome", max: 32)
        guard let outcome = Outcome(rawValue: outcomeName) else { throw r.fail("outcome \(outcomeName.printable(limit: 32)) is not allowed or approved") }
        let rules = try r.strings("rules", maxCount: 64)
        let approvers = try r.strings("approvers")
        guard approvers == approvers.sorted(), Set(approvers).count == approvers.count else { throw r.fail("approvers are not sorted and distinct") }
        let frozen = try r.bool("frozen")
        let signed = try r.bool("signed")
        try r.finish()
        self.init(
            genesisDigest: genesis, membersDigest: members, vault: vault, scheme: scheme, epoch: epoch, groupKey: groupKey,
            offlineKey: offlineKey, offlineIdentity: offlineIdentity, request: request, decidedAt: decidedAt, decidedHeight: decidedHeight,
            requestBlockHash: requestBlockHash, attempt: attempt, attemptStartedAt: startedAt, message: message, signers: signers, policyVersion: version, policyDigest: policyDigest,
            outcome: outcome, rules: rules, approvers: approvers, frozen: frozen, signed: signed)
    }

    /// The `vault.offline.attest` entry of this statement, signed by `identity` for the cluster
    /// whose governed state has `genesisDigest`.
    public func entry(signedBy identity: NodeIdentity, genesisDigest: [UInt8]) throws(LedgerError) -> Entry {
        try MemberSignature.entry(kind: Self.kind, payload: encoded, signedBy: identity, genesisDigest: genesisDigest)
    }
}
