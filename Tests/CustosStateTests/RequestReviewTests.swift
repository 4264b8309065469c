import CustosCore
import CustosPolicy
import CustosState
import Testing

/// `ReplicatedState.review(of:)` (the policy's explanation in words and the flags, for people)
/// and `flags(of:)` (the flags from the policy's decision alone, what every node's batch check
/// reads) say the same of every request: one function makes the flags from one decision.
@Suite struct RequestReviewTests {
    /// The flags-only form and the full review of every recorded request of `c` agree; their
    /// kinds, for the caller to check what was covered.
    static func agree(_ c: Cluster, _ ids: [String]) throws -> [[RequestFlags.Flag.Kind]] {
        try ids.map { id in
            let recorded = try #require(c.state.requestBook.requests[id])
            let review = c.state.review(of: recorded)
            let flags = c.state.flags(of: recorded)
            #expect(flags == review.facts, "request \(id): \(flags) vs \(review.facts)")
            #expect(flags.alone == review.alone && flags.isBatchable == review.isBatchable)
            return flags.flags.map(\.kind)
        }
    }

    @Test func theFlagsOnlyFormAgreesWithTheFullReviewOnFlagsAndAlone() throws {
        var (c, key) = try RequestBatchApprovalTests.routine()
        let routine = try RequestApprovalTests.held(&c, key)
        let larger = try RequestApprovalTests.held(&c, key, amount: "60")
        // To a destination in no entry: no rule allows it, so the policy denies it now.
        let stranger = "0x" + String(repeating: "2", count: 40)
        let denied = try #require(Cluster.decided(try c.submit(c.signed(
            Cluster.transfer(by: "risk-bot", amount: "50", destination: stranger), keyId: "risk-bot", key: key)))).id
        let ids = [routine, larger, denied]
        #expect(try Self.agree(c, ids) == [[], [.largestSoFar], [.newDestination, .firstTransfer, .deniedNow]])
        #expect(c.state.flags(of: c.state.requestBook.requests[routine]!).isBatchable)

        // A block 16 minutes on, the prices stale: every one is not priced, in both forms.
        c.now += 16 * 60_000
        _ = try RequestApprovalTests.held(&c, key)
        #expect(try Self.agree(c, ids) == [[.notPriced], [.notPriced], [.newDestination, .firstTransfer, .deniedNow, .notPriced]])
        // Frozen: the policy denies every request before reading a rule (an early decision).
        try c.propose(.freeze, by: "heidi")
        #expect(c.state.frozen)
        #expect(try Self.agree(c, ids).allSatisfy { $0.contains(.deniedNow) && $0.contains(.notPriced) })
    }
}
