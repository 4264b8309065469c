import CustosCore
import Foundation
import CustosIdentity
import CustosState
import Testing

/// Time-locked governance operations (issue #14 item 6): an approved operation whose action the
/// policy time-locks waits its delay in block time, visible as `approved` with its execution
/// time, and any security officer can cancel it meanwhile: the firm's last chance after a
/// compromised quorum. Tried as that quorum would: approving again, rejecting as an admin,
/// hoping a block just before the end executes it.
@Suite struct GovernanceTimelockTests {
    static let hour: UInt64 = 3_600_000

    static func cluster() throws -> Cluster {
        try Cluster(policyYAML: Cluster.policy().replacingOccurrences(
            of: "  freeze: {roles: [security]}\n", with: "  freeze: {roles: [security]}\n  timelocks: {add_user: 1h}\n"))
    }

    @Test func anApprovedTimeLockedOperationWaitsItsDelayThenExecutesOnEveryCopy() throws {
        var c = try Self.cluster()
        let (dave, _) = try c.propose(.addUser(id: "dave", roles: ["trader"]), by: "frank")
        try c.approve(dave, by: "grace")
        let approvedAt = c.now + 1000
        #expect(try c.approve(dave, by: "erin") == .applied(operationId: dave.id, status: .approved))
        let op = try #require(c.state.operations[dave.id])
        #expect(op.executesAt == approvedAt + Self.hour && op.decidedAt == nil)
        #expect(c.state.users["dave"] == nil)
        // Nothing more to approve; the admins cannot withdraw it either.
        #expect(Cluster.code(try c.approve(dave, by: "heidi")) == .notPending)
        #expect(Cluster.code(try c.reject(dave, by: "frank")) == .notEligible)
        #expect(Cluster.code(try c.reject(dave, by: "grace")) == .notEligible)
        #expect(c.status(dave) == .approved)
        // A block a millisecond early leaves it waiting; the first block at its time executes it.
        c.state.advance(to: approvedAt + Self.hour - 1)
        #expect(c.status(dave) == .approved && c.state.users["dave"] == nil)
        let executedAt = approvedAt + Self.hour
        c.now = executedAt
        c.state.advance(to: c.now)
        #expect(c.status(dave) == .executed && c.state.users["dave"]?.roles == ["trader"])
        #expect(c.state.operations[dave.id]?.decidedAt == executedAt)
        // Too late to cancel.
        #expect(Cluster.code(try c.reject(dave, by: "heidi")) == .notPending)
        // A copy that replays the same blocks (the entries at their times, and the two empty
        // blocks) agrees.
        var copy = try ReplicatedState(genesis: c.genesis)
        for (entry, time) in c.log {
            for empty in [approvedAt + Self.hour - 1, executedAt] where time > empty && copy.time < empty { copy.advance(to: empty) }
            copy.apply(entry, blockTime: time)
        }
        #expect(copy.operations[dave.id]?.decidedAt == executedAt)
        #expect(copy.digest == c.state.digest)
    }

    @Test func aSecurityOfficerAloneCancelsItDuringTheDelay() throws {
        var c = try Self.cluster()
        let (walt, _) = try c.propose(.addUser(id: "walt", roles: ["admin"]), by: "frank")
        try c.approve(walt, by: "grace")
        try c.approve(walt, by: "erin")
        let executesAt = try #require(c.state.operations[walt.id]?.executesAt)
        #expect(try c.reject(walt, by: "heidi") == .applied(operationId: walt.id, status: .rejected))
        let op = try #require(c.state.operations[walt.id])
        #expect(op.rejectedBy == "heidi" && op.rejections == ["heidi"])
        c.state.advance(to: executesAt + Self.hour)
        #expect(c.status(walt) == .rejected && c.state.users["walt"] == nil)
        // An operation the policy does not time-lock executes at once, as before.
        let (freeze, _) = try c.propose(.freeze, by: "heidi")
        #expect(c.status(freeze) == .executed && c.state.frozen)
    }
}
