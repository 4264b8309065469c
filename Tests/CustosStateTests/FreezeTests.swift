import CustosCore
import CustosPolicy
import CustosState
import Testing

/// Any security officer freezes alone; unfreezing needs the quorum; while frozen every request
/// that is not governance is denied, and governance goes on.
@Suite struct FreezeTests {
    static let transfer = PolicyRequest(
        kind: .transfer, initiator: "risk-bot", vault: "hot", chain: "ethereum", asset: "ETH", amount: FixedDecimal(5)!,
        destination: "0x1111111111111111111111111111111111111111")

    @Test func aSecurityOfficerFreezesAloneAndUnfreezeNeedsTheQuorum() throws {
        var c = try Cluster()
        #expect(c.state.evaluate(Self.transfer, blockTime: c.now).outcome == .allow)

        let (freeze, outcome) = try c.propose(.freeze, by: "heidi")
        #expect(outcome == .applied(operationId: freeze.id, status: .executed))
        #expect(c.state.frozen)
        let denied = c.state.evaluate(Self.transfer, blockTime: c.now)
        #expect(denied.outcome == .deny)
        #expect(denied.reason == .frozen)

        // Governance goes on while frozen.
        let (add, _) = try c.propose(.addUser(id: "ivan", roles: []), by: "frank")
        try c.approve(add, by: "grace")
        try c.approve(add, by: "erin")
        #expect(c.status(add) == .executed)

        // heidi alone cannot unfreeze, nor with one admin.
        let (unfreeze, proposed) = try c.propose(.unfreeze, by: "heidi")
        #expect(proposed == .applied(operationId: unfreeze.id, status: .proposed))
        try c.approve(unfreeze, by: "frank")
        #expect(c.state.frozen)
        try c.approve(unfreeze, by: "grace")
        #expect(c.status(unfreeze) == .executed)
        #expect(!c.state.frozen)
        #expect(c.state.evaluate(Self.transfer, blockTime: c.now).outcome == .allow)
    }

    @Test func anAdminWhoIsNotASecurityOfficerNeedsTheQuorumToFreeze() throws {
        var c = try Cluster()
        let (freeze, outcome) = try c.propose(.freeze, by: "frank")
        #expect(outcome == .applied(operationId: freeze.id, status: .proposed))
        #expect(!c.state.frozen)
        try c.approve(freeze, by: "grace")
        try c.approve(freeze, by: "erin")
        #expect(c.state.frozen)
    }

    @Test func freezingTwiceOrUnfreezingWhileNotFrozenIsRefused() throws {
        var c = try Cluster()
        let (_, unfreeze) = try c.propose(.unfreeze, by: "frank")
        #expect(Cluster.code(unfreeze) == .invalidChange)
        try c.propose(.freeze, by: "heidi")
        let (_, again) = try c.propose(.freeze, by: "erin")
        #expect(Cluster.code(again) == .invalidChange)
        #expect(c.state.frozen)
    }
}
