import CustosCore
import CustosCrypto
import CustosLedger

/// The log entry by which a voting member restored from a backup says it runs again: kind
/// `node.restored`, payload a 32-byte nonce the restore drew at random (so no entry made before
/// that restore carries it), signed with the node's identity key (`MemberSignature`). Every node
/// checks the signature against the member it names (`ReplicatedState.applyNodeRestored`). The
/// restored node votes at no height up to the one whose certified block carries its own entry
/// with its own nonce (`NodeDatabase.recordVote`): its backup carries no record of the votes its
/// original cast, and that height is above every one of them (the other members' voting
/// records, `RestorationFloor`, can give it a lower floor). Once committed it also says the
/// member now runs elsewhere: a node in that member's name that did not draw the nonce — the
/// original coming back, an earlier copy — halts and votes no more
/// (`SigningHaltRecord.Cause.restoredElsewhere`).
public struct NodeRestoredEntry: MemberSignedEntry, Sendable, Hashable {
    public static let kind = "node.restored"
    static let payloadTag = "custos.node.restored.v1"
    public static let nonceLength = 32
    /// Payload (a tag and a nonce, about 60 bytes) and authorization (a member name and a
    /// signature, about 150 bytes).
    public static let maximumBytes = 384

    public let nonce: [UInt8]

    public init(nonce: [UInt8]) {
        self.nonce = nonce
    }

    package var payload: [UInt8] {
        var w = CanonicalWriter(tag: Self.payloadTag)
        w.append(lengthPrefixed: nonce)
        return w.bytes
    }

    /// Decodes an entry's payload strictly; `malformed` for anything but this kind with a
    /// 32-byte nonce.
    public init(_ entry: Entry) throws(GovernanceError) {
        guard entry.kind == Self.kind else { throw GovernanceError(.malformed, "\"\(entry.kind.printable(limit: 64))\" is not \(Self.kind)") }
        var r = try GovernanceReader(entry.payload, tag: Self.payloadTag, what: "\(Self.kind) payload")
        let nonce = try r.bytes("nonce", max: Self.nonceLength)
        try r.finish()
        guard nonce.count == Self.nonceLength else { throw GovernanceError(.malformed, "a restoration nonce has \(Self.nonceLength) bytes, not \(nonce.count)") }
        self.init(nonce: nonce)
    }
}
