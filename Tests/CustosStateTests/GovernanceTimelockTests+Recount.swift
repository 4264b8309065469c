import Crypto
import CustosCore
import CustosIdentity
import CustosState
import Foundation
import Testing

/// Review L4: the approvals of a time-locked operation are counted again when its wait ends. An
/// approver whose role lapsed during the wait counts no more, as an attacker holding a
/// short-lived grant would hope it still did.
extension GovernanceTimelockTests {
    /// add_bot waits two days, and so does everything that could remove a security officer;
    /// ivan is an admin for one day only (his grant waited its two days too).
    static func recountCluster() throws -> Cluster {
        let locks = ["add_bot", "remove_user", "assign_role", "revoke_role", "review_access", "revoke_credential", "change_policy", "change_membership"]
        var c = try Cluster(policyYAML: Cluster.policy().replacingOccurrences(
            of: "  freeze: {roles: [security]}\n",
            with: "  freeze: {roles: [security]}\n  timelocks: {\(locks.map { "\($0): 2d" }.joined(separator: ", "))}\n"))
        try c.addPerson("ivan", roles: [])
        let (grant, _) = try c.propose(.grantRole(user: "ivan", role: "admin", days: 1), by: "frank")
        try c.approve(grant, by: "grace")
        try c.approve(grant, by: "erin")
        c.now = try #require(c.state.operations[grant.id]?.executesAt)
        c.state.advance(to: c.now)
        #expect(c.state.users["ivan"]?.roles == ["admin"])
        return c
    }

    @Test func anApproverWhoseGrantLapsedDuringTheWaitNoLongerCounts() throws {
        for (second, executes) in [("ivan", false), ("erin", true)] {
            var c = try Self.recountCluster()
            let key = BotSigningKey(ed25519: .init())
            let (p, _) = try c.propose(.addBot(id: "late-bot", key: key.publicKey, roles: ["trading-bot"]), by: "frank")
            try c.approve(p, by: "grace")
            #expect(try c.approve(p, by: second) == .applied(operationId: p.id, status: .approved))
            let executesAt = try #require(c.state.operations[p.id]?.executesAt)
            // ivan's grant lapses a day in; the wait ends a day later.
            c.state.advance(to: executesAt - Self.hour * 24 + 1)
            #expect(c.state.users["ivan"]?.roles.isEmpty == true)
            c.state.advance(to: executesAt)
            let op = try #require(c.state.operations[p.id])
            if executes {
                #expect(op.status == .executed && c.state.bots["late-bot"] != nil, "\(String(describing: op.failure))")
            } else {
                #expect(op.status == .failed && c.state.bots["late-bot"] == nil)
                #expect(op.failure?.contains("when its time-lock ended, its approvals (grace, ivan) no longer met the governance rules in force") == true,
                        "\(String(describing: op.failure))")
                #expect(op.decidedAt == executesAt)
            }
        }
    }
}
