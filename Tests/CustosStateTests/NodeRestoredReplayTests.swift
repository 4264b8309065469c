import CustosCore
import CustosCrypto
import CustosLedger
@testable import CustosState
import Testing

/// A `node.restored` entry settles a restore once: the gateway replaying an accepted one (an
/// earlier restore's, which would make the member's current copy halt as "restored elsewhere")
/// is refused by every node, and the state remembers which restores it accepted.
struct NodeRestoredReplayTests {
    @Test func anAcceptedRestoreReplayedIsRefusedAndAnotherRestoreIsAccepted() throws {
        let ceremony = VaultCeremonyTests()
        var c = try ceremony.cluster()
        let node = ceremony.nodes[1]
        let first = try NodeRestoredEntry(nonce: [UInt8](repeating: 1, count: 32)).entry(signedBy: node.identity, genesisDigest: c.state.genesisDigest)
        let before = c.state.digest
        #expect(c.apply(first) == .nodeRestored(member: "node-2", nonce: [UInt8](repeating: 1, count: 32)))
        #expect(c.state.restorations == ["node-2/" + String(repeating: "01", count: 32)])
        #expect(c.state.digest != before, "the accepted restore is part of the state's digest")

        let replayed = c.apply(first)
        #expect(Cluster.code(replayed) == .invalidChange)
        guard case .refused(let error) = replayed else { Issue.record("a replay was accepted: \(replayed)"); return }
        #expect(error.reason.contains("node-2") && error.reason.contains("a replay"), "\(error.reason)")
        #expect(c.state.refusals.last?.user == "node-2")

        // The next restore draws another nonce: accepted.
        let second = try NodeRestoredEntry(nonce: [UInt8](repeating: 2, count: 32)).entry(signedBy: node.identity, genesisDigest: c.state.genesisDigest)
        #expect(c.apply(second) == .nodeRestored(member: "node-2", nonce: [UInt8](repeating: 2, count: 32)))
        #expect(c.state.restorations.count == 2)
    }
}
