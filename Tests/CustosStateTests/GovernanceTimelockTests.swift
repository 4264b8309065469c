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
    /// add_user, and everything that could remove a security officer, waits an hour.
    static let timelocks = ["add_user", "remove_user", "assign_role", "revoke_role", "review_access", "revoke_credential", "change_policy",
                            "change_membership"].map { "\($0): 1h" }.joined(separator: ", ")

    static func cluster() throws -> Cluster {
        try Cluster(policyYAML: Cluster.policy().replacingOccurrences(
            of: "  freeze: {roles: [security]}\n", with: "  freeze: {roles: [security]}\n  timelocks: {\(Self.timelocks)}\n"))
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

    /// Review M4: a cancel is its own act, bound to when the operation would execute. An
    /// officer's rejection made while the operation was proposed — held back by a gateway, or
    /// replayed from the log (a passkey's counter may stay 0) — is no cancel; nor is a cancel made
    /// for another time-lock of the same content.
    @Test func aRejectionHeldBackOrACancelForAnotherTimeIsNoCancel() throws {
        var c = try Self.cluster()
        let (walt, _) = try c.propose(.addUser(id: "walt", roles: ["admin"]), by: "frank")
        // heidi rejects while it is proposed; the gateway keeps her entry back.
        let heldBack = try c.rejectEntry(walt, by: "heidi")
        try c.approve(walt, by: "grace")
        try c.approve(walt, by: "erin")
        let executesAt = try #require(c.state.operations[walt.id]?.executesAt)
        #expect(Cluster.code(c.apply(heldBack)) == .assertionRefused)
        #expect(c.status(walt) == .approved)
        // A cancel signed for another execution time does not verify either.
        let elsewhen = try GovernanceEntry.reject(
            operationId: walt.id, user: "heidi",
            assertion: c.assert("heidi", walt.cancelChallenge(executesAt: executesAt + 1, genesisDigest: c.state.genesisDigest))).entry()
        #expect(Cluster.code(c.apply(elsewhen)) == .assertionRefused)
        #expect(c.status(walt) == .approved)
        // Over the cancel challenge of this wait, it cancels.
        #expect(try c.reject(walt, by: "heidi") == .applied(operationId: walt.id, status: .rejected))
        #expect(walt.cancelChallenge(executesAt: executesAt, genesisDigest: c.state.genesisDigest)
                != walt.challenge(.reject, genesisDigest: c.state.genesisDigest))
    }

    /// Security review M1: no officer cancels what the quorum does to them (their removal, a
    /// role or credential of theirs; another officer still can); M2: a freeze pauses every
    /// wait but an unfreeze's.
    @Test func noOfficerCancelsTheirOwnRemovalAndAFreezePausesTheWaits() throws {
        var c = try Self.cluster()
        let (demote, proposed) = try c.propose(.assignRole(user: "heidi", role: "admin"), by: "frank")
        #expect(Cluster.code(proposed) == nil, "\(proposed)")
        try c.approve(demote, by: "grace")
        try c.approve(demote, by: "erin")
        #expect(c.status(demote) == .approved)
        #expect(Cluster.code(try c.reject(demote, by: "heidi")) == .notEligible)
        #expect(c.state.refusals.last?.error.reason.contains("acts on heidi, who may not cancel it") == true)
        #expect(c.status(demote) == .approved)

        let (dave, _) = try c.propose(.addUser(id: "dave", roles: ["trader"]), by: "frank")
        try c.approve(dave, by: "grace")
        try c.approve(dave, by: "erin")
        let executesAt = try #require(c.state.operations[dave.id]?.executesAt)
        // heidi freezes; the waits end while frozen, and nothing executes.
        let (freeze, _) = try c.propose(.freeze, by: "heidi")
        #expect(c.status(freeze) == .executed && c.state.frozen)
        c.now = executesAt + Self.hour
        c.state.advance(to: c.now)
        #expect(c.status(dave) == .approved && c.status(demote) == .approved && c.state.users["dave"] == nil)
        // The quorum's unfreeze waits its own hour (unfreeze is not time-locked here: it executes
        // at once), and then the waiting operations execute at the next block.
        let (unfreeze, _) = try c.propose(.unfreeze, by: "frank")
        try c.approve(unfreeze, by: "grace")
        try c.approve(unfreeze, by: "erin")
        #expect(c.status(unfreeze) == .executed && !c.state.frozen)
        c.now += 1000
        c.state.advance(to: c.now)
        #expect(c.status(dave) == .executed && c.status(demote) == .executed)
        #expect(c.state.users["heidi"]?.roles.contains("admin") == true)
    }
}
