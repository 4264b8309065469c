import CustosLedger

/// A log entry a voting member makes itself and signs with its identity key (`MemberSignature`):
/// its kind, its payload, and a strict decoder; the entry and its signer follow from them.
package protocol MemberSignedEntry {
    static var kind: String { get }
    var payload: [UInt8] { get }
    /// Decodes an entry's payload strictly (`malformed` for anything else).
    init(_ entry: Entry) throws(GovernanceError)
}

extension MemberSignedEntry {
    /// The log entry, signed by `identity` for the cluster with `genesisDigest`.
    package func entry(signedBy identity: NodeIdentity, genesisDigest: [UInt8]) throws(LedgerError) -> Entry {
        try MemberSignature.entry(kind: Self.kind, payload: payload, signedBy: identity, genesisDigest: genesisDigest)
    }

    /// The member that signed the entry, read from the entry alone (its row of `ReplicatedState.entryKinds`).
    static func signer(of entry: Entry) throws(GovernanceError) -> EntrySigner {
        _ = try Self(entry)
        return EntrySigner(role: .member, id: try MemberSignature.signer(of: entry).node.rawValue)
    }
}
