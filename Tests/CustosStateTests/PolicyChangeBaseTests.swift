import CustosCore
import CustosCrypto
import CustosLedger
@testable import CustosState
import Testing

/// A `change-policy` names the document it replaces (issue #13 item 6): every node refuses it
/// unless that document is the policy in force, at proposal and at execution, so the differences
/// an approver reviewed from a document with that digest are the ones that take effect.
struct PolicyChangeBaseTests {
    @Test func aChangeNamingThePolicyInForceExecutes() throws {
        var c = try Cluster()
        let base = ReplicatedState.policyDigest(of: c.state.policyYAML)
        #expect(base == Hashes.sha256(Array(c.state.policyYAML.utf8)))
        let (p, outcome) = try c.propose(.changePolicy(yaml: Cluster.policy(version: 2), replaces: base), by: "grace")
        #expect(outcome == .applied(operationId: p.id, status: .proposed))
        try c.approve(p, by: "frank")
        try c.approve(p, by: "erin")
        #expect(c.status(p) == .executed)
        #expect(c.state.policyYAML == Cluster.policy(version: 2))
    }

    /// A proposer told a false "policy in force" (a lying gateway, say): the nodes refuse the
    /// proposal, naming both digests, and nothing is recorded.
    @Test func aChangeNamingAnotherDocumentIsRefusedAtProposal() throws {
        var c = try Cluster()
        let shown = Cluster.policy(version: 1, extraPrincipals: "")  + "\n# what the gateway showed\n"
        let lie = ReplicatedState.policyDigest(of: shown)
        let (p, outcome) = try c.propose(.changePolicy(yaml: Cluster.policy(version: 2), replaces: lie), by: "grace")
        #expect(Cluster.code(outcome) == .invalidChange)
        guard case .refused(let error) = outcome else { Issue.record("not refused: \(outcome)"); return }
        #expect(error.reason.contains("replaces the policy with digest \(lie.hexString)"), "\(error.reason)")
        #expect(error.reason.contains(ReplicatedState.policyDigest(of: c.state.policyYAML).hexString), "\(error.reason)")
        #expect(c.state.operations[p.id] == nil)
        #expect(c.state.policyVersion == 1)
    }

    /// Two changes reviewed against the same document: once the first executes, the second no
    /// longer replaces the policy in force, and fails at execution instead of applying differences
    /// nobody reviewed.
    @Test func aChangeWhoseBaseWasReplacedMeanwhileFailsAtExecution() throws {
        var c = try Cluster()
        let base = ReplicatedState.policyDigest(of: c.state.policyYAML)
        let (first, _) = try c.propose(.changePolicy(yaml: Cluster.policy(version: 2), replaces: base), by: "grace")
        let (second, _) = try c.propose(.changePolicy(yaml: Cluster.policy(version: 3), replaces: base), by: "grace")
        #expect(c.status(second) == .proposed)
        try c.approve(first, by: "frank")
        try c.approve(first, by: "erin")
        #expect(c.status(first) == .executed)
        try c.approve(second, by: "frank")
        try c.approve(second, by: "erin")
        #expect(c.status(second) == .failed)
        #expect(c.state.operations[second.id]?.failure?.contains("propose it again against the policy in force") == true,
                "\(c.state.operations[second.id]?.failure ?? "")")
        #expect(c.state.policyYAML == Cluster.policy(version: 2))
    }

    /// Change kind 7, a policy document with no base, as an older client (or an attacker
    /// replaying a signed old proposal) would send it: refused at proposal, naming the digest to
    /// bind, and nothing is recorded.
    @Test func aChangeNamingNoBaseIsRefused() throws {
        var c = try Cluster()
        let p = GovernanceProposal(id: "unbound", proposer: "grace", change: .changePolicy(yaml: Cluster.policy(version: 2)))
        let outcome = c.apply(try c.proposeEntry(p))
        #expect(Cluster.code(outcome) == .invalidChange)
        guard case .refused(let error) = outcome else { Issue.record("not refused: \(outcome)"); return }
        #expect(error.reason.contains("does not name the policy it replaces (change kind 7, retired)"), "\(error.reason)")
        #expect(error.reason.contains(ReplicatedState.policyDigest(of: c.state.policyYAML).hexString), "\(error.reason)")
        #expect(c.state.operations[p.id] == nil && c.state.policyVersion == 1)
        // At execution too (the path a time-locked operation takes): refused, nothing adopted.
        var s = c.state
        #expect(throws: GovernanceError.self) { try s.execute(p) }
        #expect(s.policyVersion == 1 && s.policyYAML == c.state.policyYAML)
    }

    @Test func theNamedDocumentIsPartOfWhatIsSignedAndDecodesStrictly() throws {
        let base = ReplicatedState.policyDigest(of: Cluster.policy(version: 1))
        let bound = GovernanceProposal(id: "p", proposer: "grace", change: .changePolicy(yaml: Cluster.policy(version: 2), replaces: base))
        let unbound = GovernanceProposal(id: "p", proposer: "grace", change: .changePolicy(yaml: Cluster.policy(version: 2)))
        #expect(bound.digest != unbound.digest)
        #expect(try GovernanceProposal(encoded: bound.encoded) == bound)
        #expect(try GovernanceProposal(encoded: unbound.encoded) == unbound)
        var other = base
        other[0] ^= 1
        let rebased = GovernanceProposal(id: "p", proposer: "grace", change: .changePolicy(yaml: Cluster.policy(version: 2), replaces: other))
        #expect(rebased.digest != bound.digest)

        // The format, written out: a digest of another length than 32 bytes, as an attacker
        // would encode it, is refused; 32 bytes are the bound change.
        func encoded(replaces: [UInt8]) -> [UInt8] {
            var w = CanonicalWriter(tag: GovernanceProposal.tag)
            w.append(string: "p")
            w.append(string: "grace")
            w.append(bound.lifetimeSeconds)
            w.append(UInt8(51))
            w.append(string: Cluster.policy(version: 2))
            w.append(lengthPrefixed: replaces)
            return w.bytes
        }
        for length in [0, 31, 33] {
            #expect(throws: GovernanceError.self, "\(length) bytes") {
                try GovernanceProposal(encoded: encoded(replaces: [UInt8](repeating: 7, count: length)))
            }
        }
        #expect(encoded(replaces: base) == bound.encoded)
    }
}
