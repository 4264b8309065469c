import CustosLedger

extension GovernanceState {
    /// Replaces the voting members with `next` (checked as a cluster configuration is: at least
    /// four members so that f ≥ 1, at most 256, distinct ids and identity keys, valid keys). The
    /// ledger adopts them for the heights after the block that executes this.
    mutating func changeMembership(to next: [Member]) throws(GovernanceError) {
        guard !members.isEmpty else {
            throw GovernanceError(.invalidChange, "this state was built without the cluster's members; membership cannot change")
        }
        let sorted = next.sorted { $0.id < $1.id }
        guard sorted != members else { throw GovernanceError(.invalidChange, "the members are already these") }
        do {
            _ = try ClusterConfiguration(name: clusterName.isEmpty ? "-" : String(clusterName.prefix(ClusterConfiguration.maximumNameLength)),
                                         members: sorted, genesisTimestamp: 0)
        } catch {
            throw GovernanceError(.invalidChange, "new members: \(error.reason)")
        }
        members = sorted
    }
}
