import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// One admin alone cannot change the policy, add a user or register a credential; the quorum
/// (two admins other than the proposer) can.
@Suite struct QuorumTests {
    @Test func genesisBuildsTheRegistry() throws {
        let c = try Cluster()
        #expect(c.state.users.keys.sorted() == ["erin", "frank", "grace", "heidi"])
        #expect(c.state.users["erin"]?.roles == ["admin", "security"])
        #expect(c.state.users.values.allSatisfy { $0.credentials.count == 1 && $0.credentials[0].isSoftware })
        #expect(c.state.policyVersion == 1)
        #expect(c.state.roles == ["admin", "security"])
        #expect(!c.state.frozen)
    }

    @Test func oneAdminCannotAddAUserTheQuorumCan() throws {
        var c = try Cluster()
        let (p, outcome) = try c.propose(.addUser(id: "ivan", roles: ["trader"]), by: "frank")
        #expect(outcome == .applied(operationId: p.id, status: .proposed))
        #expect(c.state.users["ivan"] == nil)
        // One other admin is not enough.
        #expect(try c.approve(p, by: "grace") == .applied(operationId: p.id, status: .proposed))
        #expect(c.state.users["ivan"] == nil)
        #expect(c.state.operations[p.id]?.approvals == ["grace"])
        // The second admin completes the quorum; the operation executes.
        #expect(try c.approve(p, by: "erin") == .applied(operationId: p.id, status: .executed))
        #expect(c.state.users["ivan"]?.roles == ["trader"])
        #expect(c.state.users["ivan"]?.active == true)
        #expect(c.state.operations[p.id]?.decidedAt == c.now)
    }

    @Test func oneAdminCannotChangeThePolicyTheQuorumCan() throws {
        var c = try Cluster()
        let (p, _) = try c.propose(.changePolicy(yaml: Cluster.policy(version: 2)), by: "grace")
        try c.approve(p, by: "frank")
        #expect(c.state.policyVersion == 1)
        #expect(c.status(p) == .proposed)
        try c.approve(p, by: "erin")
        #expect(c.status(p) == .executed)
        #expect(c.state.policyVersion == 2)
        #expect(c.state.policyYAML == Cluster.policy(version: 2))
    }

    @Test func aPolicyChangeMustRaiseTheVersionAndCompile() throws {
        var c = try Cluster()
        let (same, sameOutcome) = try c.propose(.changePolicy(yaml: Cluster.policy(version: 1)), by: "grace")
        #expect(Cluster.code(sameOutcome) == .invalidChange)
        #expect(c.state.operations[same.id] == nil)
        let broken = Cluster.policy(version: 3).replacing("roles: [admin]}", with: "roles: [admn]}")
        let (_, brokenOutcome) = try c.propose(.changePolicy(yaml: broken), by: "grace")
        #expect(Cluster.code(brokenOutcome) == .invalidPolicy)
    }

    @Test func oneAdminCannotRegisterACredentialTheQuorumCan() throws {
        var c = try Cluster()
        let id = c.nextId()
        let phone = SoftwareAuthenticator.generate()
        let registration = phone.register(
            relyingPartyId: Cluster.rpId, origin: Cluster.origin,
            challenge: GovernanceProposal.registrationChallenge(operationId: id, user: "frank", genesisDigest: c.state.genesisDigest))
        let p = GovernanceProposal(id: id, proposer: "frank", change: .addCredential(user: "frank", registration: registration))
        #expect(c.apply(try c.proposeEntry(p)) == .applied(operationId: id, status: .proposed))
        try c.approve(p, by: "grace")
        #expect(c.state.users["frank"]?.credentials.count == 1)
        try c.approve(p, by: "erin")
        #expect(c.status(p) == .executed)
        #expect(c.state.users["frank"]?.credentials.map(\.credentialId).contains(phone.credentialId) == true)

        // The new credential now approves for frank.
        let (q, _) = try c.propose(.addUser(id: "judy", roles: ["compliance"]), by: "grace")
        c.authenticators["frank"] = phone
        #expect(try c.approve(q, by: "frank") == .applied(operationId: q.id, status: .proposed))
    }

    @Test func aRegistrationForAnotherOperationIsRefused() throws {
        var c = try Cluster()
        let phone = SoftwareAuthenticator.generate()
        let registration = phone.register(
            relyingPartyId: Cluster.rpId, origin: Cluster.origin,
            challenge: GovernanceProposal.registrationChallenge(operationId: "some-other-op", user: "frank", genesisDigest: c.state.genesisDigest))
        let (_, outcome) = try c.propose(.addCredential(user: "frank", registration: registration), by: "frank")
        #expect(Cluster.code(outcome) == .registrationRefused)
        #expect(Cluster.webAuthnCode(outcome) == .wrongChallenge)
    }

    @Test func addedUserWithCredentialCanThenApprove() throws {
        var c = try Cluster()
        let (add, _) = try c.propose(.addUser(id: "ivan", roles: ["admin"]), by: "frank")
        try c.approve(add, by: "grace")
        try c.approve(add, by: "erin")
        #expect(c.status(add) == .executed)
        // Without a credential ivan cannot act.
        let (p, _) = try c.propose(.freeze, by: "frank")
        let noCredential = GovernanceEntry.approve(
            operationId: p.id, user: "ivan", assertion: c.assert("grace", p.challenge(.approve, genesisDigest: c.state.genesisDigest)))
        #expect(Cluster.code(c.apply(try noCredential.entry())) == .unknownCredential)
    }

    @Test func removingAUserStopsTheirApprovals() throws {
        var c = try Cluster()
        // A fourth admin who can act, so that without heidi no one admin could block an unfreeze.
        try c.addPerson("ivan", roles: ["admin"])
        let (remove, _) = try c.propose(.removeUser(id: "heidi"), by: "frank")
        try c.approve(remove, by: "grace")
        try c.approve(remove, by: "erin")
        #expect(c.status(remove) == .executed)
        #expect(c.state.users["heidi"]?.active == false)
        #expect(c.state.users["heidi"]?.credentials.isEmpty == true)
        let (p, _) = try c.propose(.addUser(id: "judy", roles: []), by: "frank")
        #expect(Cluster.code(try c.approve(p, by: "heidi")) == .inactiveUser)
    }

    @Test func aChangeThatWouldLockGovernanceOutIsRefused() throws {
        var c = try Cluster()
        // Without grace's admin role, erin and frank would be the only admins, and either could
        // block an unfreeze alone by rejecting it: the policy checker refuses the result.
        let (vetoed, vetoOutcome) = try c.propose(.revokeRole(user: "grace", role: "admin"), by: "frank")
        #expect(Cluster.code(vetoOutcome) == .invalidPolicy)
        #expect(c.state.operations[vetoed.id] == nil)
        #expect(c.state.refusals.last?.error.reason.contains("alone could block") == true, "\(String(describing: c.state.refusals.last))")
        // With a fourth admin, heidi can still propose and erin, frank and ivan approve.
        try c.addPerson("ivan", roles: ["admin"])
        let (first, _) = try c.propose(.revokeRole(user: "grace", role: "admin"), by: "frank")
        try c.approve(first, by: "erin")
        #expect(Cluster.code(try c.approve(first, by: "heidi")) == .notEligible)  // heidi is no admin: she does not count
        #expect(c.status(first) == .proposed)
        #expect(Cluster.code(try c.approve(first, by: "grace")) == nil)
        #expect(c.status(first) == .executed)
        #expect(c.state.users["grace"]?.roles == [])
        // Revoking frank's too would leave two admins: the policy checker refuses the result.
        let (second, outcome) = try c.propose(.revokeRole(user: "frank", role: "admin"), by: "erin")
        #expect(Cluster.code(outcome) == .invalidPolicy)
        #expect(c.state.operations[second.id] == nil)
        #expect(c.state.refusals.last?.error.code == .invalidPolicy)
    }

    @Test func peopleWithoutCredentialsDoNotKeepGovernanceAlive() throws {
        var c = try Cluster()
        // ivan is an admin on paper but has no credential: he cannot approve anything; judy can.
        let (add, _) = try c.propose(.addUser(id: "ivan", roles: ["admin"]), by: "frank")
        try c.approve(add, by: "grace")
        try c.approve(add, by: "erin")
        try c.addPerson("judy", roles: ["admin"])
        let (first, _) = try c.propose(.revokeRole(user: "grace", role: "admin"), by: "frank")
        try c.approve(first, by: "erin")
        try c.approve(first, by: "grace")
        #expect(c.status(first) == .executed)
        // The policy engine still sees erin, frank, judy and ivan as admins, so it finds no one who
        // could block an unfreeze alone; but only erin, frank and judy can act.
        let (second, outcome) = try c.propose(.revokeRole(user: "frank", role: "admin"), by: "erin")
        #expect(Cluster.code(outcome) == .lockout)
        #expect(c.state.operations[second.id] == nil)
    }

    @Test func someoneInNoApproverGroupCannotApprove() throws {
        var c = try Cluster()
        try c.addPerson("ivan", roles: ["trader"])
        let (p, _) = try c.propose(.addUser(id: "judy", roles: []), by: "frank")
        #expect(Cluster.code(try c.approve(p, by: "ivan")) == .notEligible)
    }

    @Test func aRejectionEndsTheOperation() throws {
        var c = try Cluster()
        let (p, _) = try c.propose(.addUser(id: "ivan", roles: []), by: "frank")
        #expect(c.apply(try c.rejectEntry(p, by: "grace")) == .applied(operationId: p.id, status: .rejected))
        #expect(c.state.operations[p.id]?.rejectedBy == "grace")
        #expect(Cluster.code(try c.approve(p, by: "erin")) == .notPending)
        #expect(c.state.users["ivan"] == nil)
    }

    @Test func theProposerMayWithdraw() throws {
        var c = try Cluster()
        let (p, _) = try c.propose(.addUser(id: "ivan", roles: []), by: "frank")
        try c.approve(p, by: "grace")
        #expect(c.apply(try c.rejectEntry(p, by: "frank")) == .applied(operationId: p.id, status: .rejected))
        #expect(c.state.operations[p.id]?.rejectedBy == "frank")
        #expect(Cluster.code(try c.approve(p, by: "erin")) == .notPending)
    }

    @Test func aNonProposerCannotPropose() throws {
        var c = try Cluster()
        let (add, _) = try c.propose(.addUser(id: "ivan", roles: ["trader"]), by: "frank")
        try c.approve(add, by: "grace")
        try c.approve(add, by: "erin")
        #expect(try c.enrolNewCredential("ivan") == .applied(operationId: "op-2", status: .executed))
        let (_, outcome) = try c.propose(.addUser(id: "mallory", roles: ["admin"]), by: "ivan")
        #expect(Cluster.code(outcome) == .notPermitted)
    }
}
