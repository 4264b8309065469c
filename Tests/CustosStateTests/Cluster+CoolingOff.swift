import CustosPolicy
@testable import CustosState
import Testing

extension Cluster {
    /// The quorum's waiver of `entry` as the committed state names it now: its chain, address and
    /// the policy change that put it there (what `custos op propose waive-cooling-off` fills in).
    func waiver(of entry: String) throws -> GovernanceChange {
        let named = try #require(state.policy.document.addressBook.first { $0.name == entry })
        let standing = try #require(state.addressBookStandings[entry])
        return .waiveCoolingOff(entry: entry, chain: named.chain.value, address: named.address, standing: standing.operationId,
                                lifts: standing.cancelled?.operationId ?? "")
    }
}
