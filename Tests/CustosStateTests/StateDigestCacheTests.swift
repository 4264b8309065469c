import CustosLedger
import CustosState
import Testing

/// The state digest is computed once per state and kept: reading it again costs nothing, and no
/// copy ever reports a digest of another state.
@Suite struct StateDigestCacheTests {
    @Test func aKeptDigestFollowsItsStateThroughCopiesAndChanges() throws {
        var c = try Cluster()
        let p = GovernanceProposal(id: "a", proposer: "frank", change: .addUser(id: "ivan", roles: []), lifetimeSeconds: 60)
        let entry = try c.proposeEntry(p)
        let original = c.state
        let before = original.digest
        var changed = original
        #expect(changed.digest == before)
        changed.apply(entry, blockTime: c.now + 1_000)
        var untouched = original
        untouched.apply(entry, blockTime: c.now + 1_000)
        // One read before its change, one not: the same digest after it.
        #expect(changed.digest == untouched.digest)
        #expect(changed.digest != before)
        #expect(original.digest == before)
        // Time alone changes the state (the operation expires), and so its digest.
        var expired = changed
        expired.advance(to: c.now + 120_000)
        #expect(expired.operations["a"]?.status == .expired)
        #expect(expired.digest != changed.digest)
        #expect(changed.operations["a"]?.status == .proposed)
    }
}
