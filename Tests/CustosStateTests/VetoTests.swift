import CustosCore
import CustosPolicy
import CustosState
import Testing

/// No single-person veto, no permanent freeze, tried as the attacker would: only people eligible
/// to approve an operation may reject it, and a rejection ends it only when the others can no
/// longer approve it.
@Suite struct VetoTests {
    @Test func aTraderCannotRejectTheirOwnRemoval() throws {
        var c = try Cluster()
        try c.addPerson("ivan", roles: ["trader"])
        let (removal, _) = try c.propose(.removeUser(id: "ivan"), by: "frank")
        let refused = try c.reject(removal, by: "ivan")
        #expect(Cluster.code(refused) == .notEligible)
        guard case .refused(let error) = refused else { return }
        #expect(error.reason.contains("only members of admins may approve or reject it"), "\(error.reason)")
        #expect(c.status(removal) == .proposed)
        #expect(c.state.operations[removal.id]?.rejections == [])
        try c.approve(removal, by: "grace")
        try c.approve(removal, by: "erin")
        #expect(c.status(removal) == .executed)
        #expect(c.state.users["ivan"]?.active == false)
    }

    @Test func anEligibleAdminsRejectionOfTheirOwnRemovalDoesNotBlockIt() throws {
        var c = try Cluster()
        try c.addPerson("ivan", roles: ["admin"])
        // heidi proposes; erin, grace and ivan can still reach the quorum without frank.
        let (removal, _) = try c.propose(.removeUser(id: "frank"), by: "heidi")
        #expect(try c.reject(removal, by: "frank") == .applied(operationId: removal.id, status: .proposed))
        #expect(c.state.operations[removal.id]?.rejections == ["frank"])
        #expect(c.state.operations[removal.id]?.rejectedBy == nil)
        try c.approve(removal, by: "erin")
        #expect(try c.approve(removal, by: "grace") == .applied(operationId: removal.id, status: .executed))
        #expect(c.state.users["frank"]?.active == false)
    }

    @Test func anOperationEndsWhenEnoughEligiblePeopleRejectThatItCannotBeApproved() throws {
        var c = try Cluster()
        let (p, _) = try c.propose(.addUser(id: "ivan", roles: []), by: "heidi")
        // erin and grace can still approve without frank.
        #expect(try c.reject(p, by: "frank") == .applied(operationId: p.id, status: .proposed))
        // Without frank and grace only erin is left, and the quorum is two admins.
        #expect(try c.reject(p, by: "grace") == .applied(operationId: p.id, status: .rejected))
        let op = try #require(c.state.operations[p.id])
        #expect(op.rejections == ["frank", "grace"])
        #expect(op.rejectedBy == "grace")
        #expect(op.decidedAt == c.now)
        #expect(Cluster.code(try c.approve(p, by: "erin")) == .notPending)
    }

    @Test func nobodyBothApprovesAndRejects() throws {
        var c = try Cluster()
        let (p, _) = try c.propose(.addUser(id: "ivan", roles: []), by: "heidi")
        try c.approve(p, by: "frank")
        #expect(Cluster.code(try c.reject(p, by: "frank")) == .duplicateApproval)
        try c.reject(p, by: "grace")
        #expect(Cluster.code(try c.approve(p, by: "grace")) == .duplicateApproval)
        #expect(Cluster.code(try c.reject(p, by: "grace")) == .duplicateApproval)
        #expect(c.state.operations[p.id]?.approvals == ["frank"])
        #expect(c.state.operations[p.id]?.rejections == ["grace"])
        #expect(c.status(p) == .proposed)
        #expect(try c.approve(p, by: "erin") == .applied(operationId: p.id, status: .executed))
    }

    @Test func aSecurityOfficerWhoFreezesCannotVetoTheUnfreezeAlone() throws {
        var c = try Cluster()
        // erin (admin and security officer) freezes alone, then rejects every unfreeze.
        try c.propose(.freeze, by: "erin")
        #expect(c.state.frozen)
        let (unfreeze, _) = try c.propose(.unfreeze, by: "heidi")
        #expect(try c.reject(unfreeze, by: "erin") == .applied(operationId: unfreeze.id, status: .proposed))
        #expect(c.state.frozen)
        try c.approve(unfreeze, by: "frank")
        #expect(try c.approve(unfreeze, by: "grace") == .applied(operationId: unfreeze.id, status: .executed))
        #expect(!c.state.frozen)

        // heidi freezes; as a security officer who is no admin she may not even reject the unfreeze.
        try c.propose(.freeze, by: "heidi")
        let (again, _) = try c.propose(.unfreeze, by: "frank")
        #expect(Cluster.code(try c.reject(again, by: "heidi")) == .notEligible)
        try c.approve(again, by: "grace")
        try c.approve(again, by: "erin")
        #expect(c.status(again) == .executed)
        #expect(!c.state.frozen)
    }

    @Test func aPolicyThatGivesOnePersonAVetoOverUnfreezeIsRefused() throws {
        var c = try Cluster()
        // Only admins propose: erin, frank and grace, with a quorum of two others, so any one of
        // them could block every unfreeze by rejecting it.
        let vetoable = Cluster.policy(version: 2).replacing("proposers: {roles: [admin, security]}", with: "proposers: {roles: [admin]}")
        let (p, outcome) = try c.propose(.changePolicy(yaml: vetoable), by: "frank")
        #expect(Cluster.code(outcome) == .invalidPolicy)
        #expect(c.state.operations[p.id] == nil)
        let reason = c.state.refusals.last?.error.reason ?? ""
        #expect(reason.contains("alone could block") && reason.contains("by rejecting it"), "\(reason)")
    }
}
