import CustosIdentity
import CustosState
import Foundation
import Testing

/// The shipped example policy as a genesis policy: its governance section (admin quorum, policy
/// changes and unfreeze also need a security officer, security officers freeze alone) drives the
/// governed state.
@Suite struct ExamplePolicyTests {
    static let yaml: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try! String(contentsOf: root.appendingPathComponent("examples/policies/trading-firm.yaml"), encoding: .utf8)
    }()

    static func cluster() throws -> Cluster {
        var c = try Cluster()
        let people: [(String, [String])] = [
            ("erin", ["security-officer", "admin"]), ("frank", ["admin", "executive"]), ("grace", ["admin", "compliance"]),
            ("heidi", ["security-officer"]), ("laura", ["security-officer"]),
        ]
        // A third security officer: with two, the one who did not propose could block an
        // unfreeze or a policy change alone by rejecting it, and the lockout check refuses that.
        c.authenticators["laura"] = .generate()
        var admins: [GenesisDocument.Admin] = []
        for (id, roles) in people {
            let registration = c.authenticators[id]!.register(
                relyingPartyId: Cluster.rpId, origin: Cluster.origin,
                challenge: GenesisDocument.registrationChallenge(clusterName: "meridian", user: id))
            admins.append(.init(id: id, roles: roles, registration: registration))
        }
        c.genesis = GenesisDocument(
            clusterName: "meridian", relyingPartyId: Cluster.rpId, allowedOrigins: [Cluster.origin], mode: .development,
            admins: admins, policyYAML: yaml)
        c.state = try ReplicatedState(genesis: c.genesis)
        return c
    }

    @Test func theExamplePolicyGovernsTheCluster() throws {
        var c = try Self.cluster()
        #expect(c.state.policyVersion == 14)

        // heidi (security officer) freezes alone; unfreeze needs two admins and another officer.
        try c.propose(.freeze, by: "heidi")
        #expect(c.state.frozen)
        let (unfreeze, _) = try c.propose(.unfreeze, by: "heidi")
        try c.approve(unfreeze, by: "frank")
        try c.approve(unfreeze, by: "grace")
        #expect(c.state.frozen)
        try c.approve(unfreeze, by: "erin")
        #expect(c.status(unfreeze) == .executed)
        #expect(!c.state.frozen)

        // A policy change by frank needs two admins and an officer: three people, each counted once.
        let next = Self.yaml.replacing("version: 14", with: "version: 15")
        let (change, _) = try c.propose(.changePolicy(yaml: next), by: "frank")
        try c.approve(change, by: "grace")
        #expect(c.state.policyVersion == 14)
        try c.approve(change, by: "erin")
        #expect(c.status(change) == .proposed)  // erin is admin and officer, but one person fills one slot
        try c.approve(change, by: "heidi")
        #expect(c.status(change) == .executed)
        #expect(c.state.policyVersion == 15)
    }
}
