import Crypto
import CustosCore
import CustosCrypto
import CustosLedger

extension ReplicatedState {
    /// What a node signs with its identity key to ask to join: this cluster (name and genesis
    /// document digest), its id, its identity key and its transport key — so nobody relaying
    /// the request (the gateway) can swap the key that other nodes encrypt to.
    public static func membershipProofMessage(clusterName: String, genesisDigest: [UInt8], member: Member) -> [UInt8] {
        var w = CanonicalWriter(tag: "custos.governance.member-proof.v1")
        w.append(string: clusterName)
        w.append(lengthPrefixed: genesisDigest)
        w.append(string: member.id.rawValue)
        w.append(lengthPrefixed: member.publicKeyBytes)
        w.append(lengthPrefixed: member.transportKeyBytes)
        return Hashes.sha256(w.bytes)
    }

    /// Adds one voting member: a new id, an identity key no member holds or ever held, a
    /// transport key no member holds, a valid proof of possession over both, and at most
    /// `ClusterConfiguration.maximumMembers` members.
    mutating func addMember(_ member: Member, proof: [UInt8]) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidChange, reason) }
        try requireTrackedMembers()
        guard !members.contains(where: { $0.id == member.id }) else { throw invalid("\(member.id) is already a member") }
        guard !members.contains(where: { $0.publicKeyBytes == member.publicKeyBytes }) else {
            throw invalid("another member holds the identity key of \(member.id)")
        }
        guard !members.contains(where: { $0.transportKeyBytes == member.transportKeyBytes }) else {
            throw invalid("another member holds the transport key of \(member.id)")
        }
        guard !retiredMemberKeys.contains(member.publicKeyBytes) else {
            throw invalid("the identity key of \(member.id) belonged to a removed member and cannot return")
        }
        let message = Self.membershipProofMessage(clusterName: clusterName, genesisDigest: genesisDigest, member: member)
        guard member.publicKey.isValidSignature(proof, for: message) else {
            throw invalid("the proof of possession of \(member.id)'s identity key does not verify")
        }
        try adopt(members + [member])
    }

    /// Removes one voting member; at least four remain (f ≥ 1), and its key is retired.
    mutating func removeMember(_ id: NodeID) throws(GovernanceError) {
        try requireTrackedMembers()
        guard let removed = members.first(where: { $0.id == id }) else {
            throw GovernanceError(.invalidChange, "\(id) is not a member")
        }
        try adopt(members.filter { $0.id != id })
        retiredMemberKeys.insert(removed.publicKeyBytes)
    }

    private func requireTrackedMembers() throws(GovernanceError) {
        guard !members.isEmpty else {
            throw GovernanceError(.invalidChange, "this state was built without the cluster's members; membership cannot change")
        }
    }

    /// Checks `next` as a cluster configuration is checked (4 to 256 members, distinct ids and keys).
    private mutating func adopt(_ next: [Member]) throws(GovernanceError) {
        let sorted = next.sorted { $0.id < $1.id }
        do {
            _ = try ClusterConfiguration(name: "membership-check", members: sorted, genesisTimestamp: 0)
        } catch {
            throw GovernanceError(.invalidChange, "new members: \(error.reason)")
        }
        members = sorted
    }
}
