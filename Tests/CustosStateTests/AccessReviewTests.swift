import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// Access reviews with a deadline (issue 14 item 2): a review lists every grant when it opens;
/// what the quorum re-confirms before the deadline is kept, everything else lapses at the
/// deadline's block time on every copy of the state. Tried as an attacker would: confirming a
/// grant the review does not list, twice, or after the review closed; opening a second review;
/// a review whose lapse would lock governance out.
@Suite struct AccessReviewTests {
    static let day: UInt64 = 86_400_000
    static let governing = ["erin admin", "erin security", "frank admin", "grace admin", "heidi security"]

    static func cluster() throws -> Cluster {
        var c = try AccessGrantTests.cluster()
        try AccessGrantTests.executed(&c, .assignRole(user: "ivan", role: "trader"))
        try AccessGrantTests.executed(&c, .grantRole(user: "ivan", role: "auditor", days: 300))
        return c
    }

    @Test func aGrantNotReconfirmedByTheDeadlineLapsesOnEveryCopy() throws {
        var c = try Self.cluster()
        let open = try AccessGrantTests.executed(&c, .openAccessReview(deadlineDays: 14, confirmed: Self.governing, days: 0))
        let opened = c.state.time
        let review = try #require(c.state.accessReview)
        #expect(review.id == open.id && review.deadline == opened + 14 * Self.day && review.isOpen)
        #expect(review.grants == (Self.governing + ["ivan auditor", "ivan trader"]).sorted())
        #expect(review.unconfirmed == ["ivan auditor", "ivan trader"])
        // The trader grant is re-confirmed for 90 days; the auditor grant is left alone.
        c.now = opened + 3 * Self.day
        try AccessGrantTests.executed(&c, .confirmAccess(review: open.id, grants: ["ivan trader"], days: 90))
        #expect(c.state.users["ivan"]?.roleExpiry["trader"] == c.state.time + 90 * Self.day)
        var copy = c.state
        // Just before the deadline both are held; at its block time the auditor grant lapses.
        c.state.advance(to: opened + 14 * Self.day - 1)
        #expect(c.state.users["ivan"]?.roles == ["auditor", "trader"])
        #expect(c.state.accessReview?.isOpen == true)
        c.state.advance(to: opened + 14 * Self.day)
        #expect(c.state.users["ivan"]?.roles == ["trader"])
        #expect(c.state.users["ivan"]?.roleExpiry["auditor"] == nil)
        #expect(c.state.accessReview?.lapsed == ["ivan auditor"] && c.state.accessReview?.isOpen == false)
        #expect(c.state.roleGrants == (Self.governing + ["ivan trader"]).sorted())
        // Another copy reaching a later block time lapses the same grants, to the same digest.
        copy.advance(to: opened + 20 * Self.day)
        c.state.advance(to: opened + 20 * Self.day)
        #expect(copy.digest == c.state.digest)
        // A confirmation after the deadline is refused: the review is closed.
        let (late, outcome) = try c.propose(.confirmAccess(review: open.id, grants: ["ivan trader"], days: 0), by: "frank")
        #expect(Cluster.code(outcome) == .invalidChange)
        #expect(c.state.operations[late.id] == nil)
    }

    @Test func confirmationsNameOnlyUnconfirmedGrantsOfTheOpenReview() throws {
        var c = try Self.cluster()
        let open = try AccessGrantTests.executed(&c, .openAccessReview(deadlineDays: 7, confirmed: Self.governing, days: 0))
        for (change, text) in [
            (GovernanceChange.confirmAccess(review: "other", grants: ["ivan trader"], days: 0), "no access review \"other\" is open"),
            (.confirmAccess(review: open.id, grants: ["ivan admin"], days: 0), "not a grant of the review: ivan admin"),
            (.confirmAccess(review: open.id, grants: ["frank admin"], days: 0), "already re-confirmed: frank admin"),
            (.confirmAccess(review: open.id, grants: ["ivan trader", "ivan trader"], days: 0), "named twice: ivan trader"),
            (.confirmAccess(review: open.id, grants: [], days: 0), "at least one grant"),
            (.confirmAccess(review: open.id, grants: ["ivan trader"], days: 4_000), "a grant runs 0 to 3660 days"),
            (.openAccessReview(deadlineDays: 7, confirmed: Self.governing, days: 0), "one review at a time"),
        ] {
            let (p, outcome) = try c.propose(change, by: "frank")
            guard case .refused(let error) = outcome else {
                Issue.record("\(change) was not refused")
                continue
            }
            #expect(error.code == .invalidChange && error.reason.contains(text), "\(error.reason)")
            #expect(c.state.operations[p.id] == nil)
        }
        // A grant revoked during the review cannot be confirmed; one given again counts as confirmed.
        try AccessGrantTests.executed(&c, .revokeRole(user: "ivan", role: "auditor"))
        let (gone, goneOutcome) = try c.propose(.confirmAccess(review: open.id, grants: ["ivan auditor"], days: 0), by: "frank")
        #expect(Cluster.code(goneOutcome) == .invalidChange && c.state.operations[gone.id] == nil)
        try AccessGrantTests.executed(&c, .grantRole(user: "ivan", role: "auditor", days: 30))
        #expect(c.state.accessReview?.unconfirmed == ["ivan trader"])
        let encoded = try AccessGrantTests.executed(&c, .confirmAccess(review: open.id, grants: ["ivan trader"], days: 0))
        #expect(try GovernanceProposal(encoded: encoded.encoded) == encoded)
        #expect(c.state.accessReview?.unconfirmed == [])
    }

    @Test func aReviewWhoseLapseWouldLockGovernanceOutIsRefused() throws {
        var c = try Self.cluster()
        // Without re-confirming the admins at once, their grants would lapse at the deadline.
        let (p, outcome) = try c.propose(.openAccessReview(deadlineDays: 7, confirmed: ["heidi security"], days: 0), by: "frank")
        guard case .refused(let error) = outcome else {
            Issue.record("a review leaving governance to unconfirmed grants was not refused")
            return
        }
        #expect([.lockout, .invalidPolicy].contains(error.code) && error.reason.contains("once the expiring grants lapse"), "\(error.reason)")
        #expect(c.state.operations[p.id] == nil)
        #expect(c.state.accessReview == nil)
    }
}
