import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// Expiring role grants and access reviews: a grant lapses on every copy of the state at the
/// block time it runs out, and an access review names every grant once, re-confirming or
/// revoking each.
@Suite struct AccessGrantTests {
    static let day: UInt64 = 86_400_000

    /// The test cluster with ivan, who holds no role, registered with a credential.
    static func cluster() throws -> Cluster {
        var c = try Cluster()
        try c.addPerson("ivan", roles: [])
        return c
    }

    @discardableResult
    static func executed(_ c: inout Cluster, _ change: GovernanceChange) throws -> GovernanceProposal {
        let (p, _) = try c.propose(change, by: "frank")
        try c.approve(p, by: "grace")
        try c.approve(p, by: "erin")
        #expect(c.status(p) == .executed, "\(String(describing: c.state.operations[p.id]?.failure))")
        return p
    }

    @Test func aGrantLapsesOnEveryCopyAtTheBlockTimeItRunsOut() throws {
        var c = try Self.cluster()
        try Self.executed(&c, .grantRole(user: "ivan", role: "admin", days: 30))
        let granted = c.state.time
        #expect(c.state.users["ivan"]?.roles == ["admin"])
        #expect(c.state.users["ivan"]?.roleExpiry == ["admin": granted + 30 * Self.day])
        // Until it runs out, ivan is an admin whose approval counts.
        c.now = granted + 30 * Self.day - 5000
        let (p, _) = try c.propose(.addUser(id: "judy", roles: ["viewer"]), by: "frank")
        #expect(c.state.policy.members(ofGroup: "admins").contains("ivan"))
        var copy = c.state
        c.state.advance(to: granted + 30 * Self.day - 1)
        #expect(c.state.users["ivan"]?.roles == ["admin"])
        // At the block time it runs out, it lapses: ivan's approval in that very block is refused.
        c.now = granted + 30 * Self.day - 1000
        #expect(Cluster.code(try c.approve(p, by: "ivan")) == .notEligible)
        #expect(c.state.time == granted + 30 * Self.day)
        #expect(c.state.users["ivan"]?.roles == [])
        #expect(c.state.users["ivan"]?.roleExpiry == [:])
        #expect(!c.state.policy.members(ofGroup: "admins").contains("ivan"))
        // Another copy that reaches the same block time by another block lapses it the same way.
        copy.advance(to: granted + 31 * Self.day)
        c.state.advance(to: granted + 31 * Self.day)
        #expect(copy.users["ivan"]?.roles == [])
        #expect(copy.policy.members(ofGroup: "admins") == c.state.policy.members(ofGroup: "admins"))
    }

    @Test func aGrantIsRenewedAndARevocationEndsItEarly() throws {
        var c = try Self.cluster()
        try Self.executed(&c, .grantRole(user: "ivan", role: "trader", days: 10))
        let digest = c.state.digest
        try Self.executed(&c, .grantRole(user: "ivan", role: "trader", days: 90))
        #expect(c.state.users["ivan"]?.roleExpiry["trader"] == c.state.time + 90 * Self.day)
        #expect(c.state.digest != digest)
        try Self.executed(&c, .revokeRole(user: "ivan", role: "trader"))
        #expect(c.state.users["ivan"]?.roleExpiry == [:])
        // A role held without expiry is not turned into an expiring one by a grant.
        let (p, outcome) = try c.propose(.grantRole(user: "frank", role: "admin", days: 30), by: "grace")
        #expect(Cluster.code(outcome) == .invalidChange)
        #expect(c.state.operations[p.id] == nil)
        let (zero, zeroOutcome) = try c.propose(.grantRole(user: "ivan", role: "trader", days: 0), by: "grace")
        #expect(Cluster.code(zeroOutcome) == .invalidChange)
        #expect(c.state.operations[zero.id] == nil)
    }

    @Test func governanceNeverDependsOnAGrantThatWillLapse() throws {
        var c = try Self.cluster()
        // Making every admin's role expire would leave no quorum once they lapse.
        let grants = c.state.roleGrants
        #expect(grants == ["erin admin", "erin security", "frank admin", "grace admin", "heidi security"])
        let (p, outcome) = try c.propose(.reviewAccess(confirmed: grants, revoked: [], days: 30), by: "frank")
        guard case .refused(let error) = outcome else {
            Issue.record("a review leaving governance to lapsing grants was not refused")
            return
        }
        #expect([.lockout, .invalidPolicy].contains(error.code) && error.reason.contains("once the expiring grants lapse"), "\(error.reason)")
        #expect(c.state.operations[p.id] == nil)
    }

    @Test func anAccessReviewNamesEveryGrantOnceAndRevokesWhatItDoesNotConfirm() throws {
        var c = try Self.cluster()
        try Self.executed(&c, .grantRole(user: "ivan", role: "trader", days: 30))
        let grants = c.state.roleGrants
        #expect(grants.contains("ivan trader"))
        let others = grants.filter { $0 != "ivan trader" }
        // Leaving a grant out, naming one twice or one that does not exist is refused.
        for (confirmed, revoked, text) in [
            (others.dropLast().map { $0 }, ["ivan trader"], "it leaves out heidi security"),
            (others, ["ivan trader", "ivan trader"], "named twice: ivan trader"),
            (others + ["ivan admin"], ["ivan trader"], "no such grant: ivan admin"),
        ] {
            let (p, outcome) = try c.propose(.reviewAccess(confirmed: confirmed, revoked: revoked, days: 0), by: "frank")
            guard case .refused(let error) = outcome else {
                Issue.record("\(p.id) was not refused")
                continue
            }
            #expect(error.code == .invalidChange && error.reason.contains(text), "\(error.reason)")
        }
        let review = try Self.executed(&c, .reviewAccess(confirmed: others, revoked: ["ivan trader"], days: 0))
        #expect(c.state.users["ivan"]?.roles == [])
        #expect(c.state.roleGrants == others)
        #expect(review.change.operation.action == .reviewAccess)
        #expect(try GovernanceProposal(encoded: review.encoded) == review)
    }
}
