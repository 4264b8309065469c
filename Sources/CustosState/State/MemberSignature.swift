import Crypto
import CustosCore
import CustosCrypto
import CustosLedger

/// How a voting member (a signer node) signs a log entry it makes itself with its Ed25519
/// identity key: over the cluster's genesis digest, the entry's kind and its payload
/// (`statement`); the authorization names the member and carries the signature. Every node checks
/// it against the member the entry names before the transition reads the entry, so no gateway
/// can speak for a node. The `vault.*` entries and `request.receipt-check` are signed this way.
public enum MemberSignature {
    static let tag = "custos.vault.member-signature.v1"

    /// What a member signs for an entry: the cluster (genesis digest), the kind and the payload.
    public static func statement(genesisDigest: [UInt8], kind: String, payload: [UInt8]) -> [UInt8] {
        var w = CanonicalWriter(tag: tag)
        w.append(lengthPrefixed: genesisDigest)
        w.append(string: kind)
        w.append(lengthPrefixed: payload)
        return Hashes.sha256(w.bytes)
    }

    /// The entry of `kind` and `payload`, signed by `identity` for the cluster with `genesisDigest`.
    public static func entry(kind: String, payload: [UInt8], signedBy identity: NodeIdentity, genesisDigest: [UInt8]) throws(LedgerError) -> Entry {
        let signature = identity.signDigest(statement(genesisDigest: genesisDigest, kind: kind, payload: payload))
        var w = CanonicalWriter(tag: tag)
        w.append(string: identity.id.rawValue)
        w.append(lengthPrefixed: signature)
        return try Entry(kind: kind, payload: payload, authorization: w.bytes)
    }

    /// The member an entry's authorization names and its signature, decoded only.
    static func signer(of entry: Entry) throws(GovernanceError) -> (node: NodeID, signature: [UInt8]) {
        guard !entry.authorization.isEmpty else {
            throw GovernanceError(.unsigned, "a \(entry.kind) entry is signed by the node that made it; this one carries no signature")
        }
        var r = try GovernanceReader(entry.authorization, tag: tag, what: "\(entry.kind) authorization")
        let name = try r.string("member", max: 64)
        let signature = try r.bytes("signature", max: 64)
        try r.finish()
        guard signature.count == 64 else { throw r.fail("an Ed25519 signature has 64 bytes, not \(signature.count)") }
        do { return (try NodeID(name), signature) } catch { throw r.fail("member: \(error.reason)") }
    }

    /// The current member of `members` that signed `entry` for this cluster; `unknownMember` for a
    /// node that is not one, `memberSignatureRefused` for a signature that does not verify.
    static func verifiedSigner(of entry: Entry, members: [Member], genesisDigest: [UInt8]) throws(GovernanceError) -> Member {
        let (node, signature) = try signer(of: entry)
        guard let member = members.first(where: { $0.id == node }) else {
            throw GovernanceError(.unknownMember, "\(node) is not a voting member")
        }
        guard member.publicKey.isValidSignature(signature, for: statement(genesisDigest: genesisDigest, kind: entry.kind, payload: entry.payload)) else {
            throw GovernanceError(.memberSignatureRefused, "the signature of \(node) on this \(entry.kind) does not verify")
        }
        return member
    }
}
