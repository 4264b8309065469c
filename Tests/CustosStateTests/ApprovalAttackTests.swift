import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import Testing

/// Forged, replayed and altered approvals are refused by the transition, change nothing, and
/// leave the same recorded reason on every node.
@Suite struct ApprovalAttackTests {
    /// frank proposes adding ivan; returns the cluster and the proposal.
    static func pending() throws -> (Cluster, GovernanceProposal) {
        var c = try Cluster()
        let (p, _) = try c.propose(.addUser(id: "ivan", roles: ["trader"]), by: "frank")
        return (c, p)
    }

    /// Applies a hostile entry and checks that only the refusal record changed.
    static func refuse(_ c: inout Cluster, _ entry: Entry) -> GovernanceError? {
        let before = c.state
        let outcome = c.apply(entry)
        guard case .refused(let error) = outcome else { return nil }
        #expect(c.state.users == before.users)
        #expect(c.state.operations == before.operations)
        #expect(c.state.refusals.count == before.refusals.count + 1)
        #expect(c.state.refusals.last?.error == error)
        #expect(c.state.refusals.last?.kind == entry.kind)
        return error
    }

    @Test func anApprovalOfAnotherOperationIsRefused() throws {
        var (c, p) = try Self.pending()
        let (q, _) = try c.propose(.addUser(id: "judy", roles: []), by: "frank")
        // erin signs an approval of q but the entry presents it for p.
        let forged = GovernanceEntry.approve(operationId: p.id, user: "erin", assertion: c.assert("erin", q.challenge(.approve, genesisDigest: c.state.genesisDigest)))
        let error = Self.refuse(&c, try forged.entry())
        #expect(error?.code == .assertionRefused)
        #expect(error?.webAuthn == .wrongChallenge)
        #expect(c.state.refusals.last?.operationId == p.id)
        #expect(c.state.refusals.last?.user == "erin")
    }

    @Test func anApprovalOfAnAlteredOperationIsRefused() throws {
        var (c, p) = try Self.pending()
        // The same id with other content has another digest, so another challenge.
        let altered = GovernanceProposal(id: p.id, proposer: "frank", change: .addUser(id: "ivan", roles: ["admin"]))
        let entry = GovernanceEntry.approve(operationId: p.id, user: "erin", assertion: c.assert("erin", altered.challenge(.approve, genesisDigest: c.state.genesisDigest)))
        #expect(Self.refuse(&c, try entry.entry())?.webAuthn == .wrongChallenge)
        // A rejection's challenge does not approve either.
        let asReject = GovernanceEntry.approve(operationId: p.id, user: "erin", assertion: c.assert("erin", p.challenge(.reject, genesisDigest: c.state.genesisDigest)))
        #expect(Self.refuse(&c, try asReject.entry())?.webAuthn == .wrongChallenge)
    }

    @Test func aWrongOriginIsRefused() throws {
        var (c, p) = try Self.pending()
        let entry = GovernanceEntry.approve(
            operationId: p.id, user: "erin", assertion: c.assert("erin", p.challenge(.approve, genesisDigest: c.state.genesisDigest), origin: "https://evil.test"))
        #expect(Self.refuse(&c, try entry.entry())?.webAuthn == .wrongOrigin)
    }

    @Test func aLoweredCounterIsRefused() throws {
        var (c, p) = try Self.pending()
        let (q, _) = try c.propose(.addUser(id: "judy", roles: []), by: "frank")
        let earlier = c.assert("erin", p.challenge(.approve, genesisDigest: c.state.genesisDigest))  // counter n
        let later = c.assert("erin", q.challenge(.approve, genesisDigest: c.state.genesisDigest))  // counter n + 1
        #expect(c.apply(try GovernanceEntry.approve(operationId: q.id, user: "erin", assertion: later).entry())
            == .applied(operationId: q.id, status: .proposed))
        let counter = c.state.users["erin"]!.credentials[0].signCount
        #expect(counter == c.authenticators["erin"]!.signCount)
        let error = Self.refuse(&c, try GovernanceEntry.approve(operationId: p.id, user: "erin", assertion: earlier).entry())
        #expect(error?.code == .assertionRefused)
        #expect(error?.webAuthn == .counterNotIncreased)
        #expect(c.state.users["erin"]!.credentials[0].signCount == counter)
    }

    @Test func anEqualCounterIsRefused() throws {
        var (c, p) = try Self.pending()
        let (q, _) = try c.propose(.addUser(id: "judy", roles: []), by: "frank")
        var clone = c.authenticators["erin"]!  // a cloned authenticator repeats counters
        #expect(try c.approve(q, by: "erin") == .applied(operationId: q.id, status: .proposed))
        let replayed = clone.getAssertion(relyingPartyId: Cluster.rpId, origin: Cluster.origin, challenge: p.challenge(.approve, genesisDigest: c.state.genesisDigest))
        let error = Self.refuse(&c, try GovernanceEntry.approve(operationId: p.id, user: "erin", assertion: replayed).entry())
        #expect(error?.webAuthn == .counterNotIncreased)
    }

    @Test func aReplayedEntryCountsOnce() throws {
        var (c, p) = try Self.pending()
        let entry = try c.approveEntry(p, by: "grace")
        #expect(c.apply(entry) == .applied(operationId: p.id, status: .proposed))
        #expect(Self.refuse(&c, entry)?.code == .duplicateApproval)
        // A fresh second approval by the same person is counted once too.
        #expect(Self.refuse(&c, try c.approveEntry(p, by: "grace"))?.code == .duplicateApproval)
        #expect(c.state.operations[p.id]?.approvals == ["grace"])
        #expect(c.status(p) == .proposed)
        #expect(c.state.users["ivan"] == nil)
    }

    @Test func missingUserVerificationIsRefusedWhenRequired() throws {
        var (c, p) = try Self.pending()
        let entry = GovernanceEntry.approve(
            operationId: p.id, user: "erin", assertion: c.assert("erin", p.challenge(.approve, genesisDigest: c.state.genesisDigest), userVerified: false))
        #expect(Self.refuse(&c, try entry.entry())?.webAuthn == .userNotVerified)
    }

    @Test func userVerificationIsOptionalWhenNotRequired() throws {
        var c = try Cluster(requireUserVerification: false)
        let (p, _) = try c.propose(.addUser(id: "ivan", roles: []), by: "frank")
        let entry = GovernanceEntry.approve(
            operationId: p.id, user: "erin", assertion: c.assert("erin", p.challenge(.approve, genesisDigest: c.state.genesisDigest), userVerified: false))
        #expect(c.apply(try entry.entry()) == .applied(operationId: p.id, status: .proposed))
    }

    @Test func anApprovalByANonMemberIsRefused() throws {
        var (c, p) = try Self.pending()
        // mallory is not a user; she presents erin's valid assertion under her own name.
        let entry = GovernanceEntry.approve(operationId: p.id, user: "mallory", assertion: c.assert("erin", p.challenge(.approve, genesisDigest: c.state.genesisDigest)))
        #expect(Self.refuse(&c, try entry.entry())?.code == .unknownUser)
        // erin's assertion under grace's name names a credential grace does not hold.
        let borrowed = GovernanceEntry.approve(operationId: p.id, user: "grace", assertion: c.assert("erin", p.challenge(.approve, genesisDigest: c.state.genesisDigest)))
        #expect(Self.refuse(&c, try borrowed.entry())?.code == .unknownCredential)
    }

    @Test func theInitiatorCannotApproveTheirOwnOperation() throws {
        var (c, p) = try Self.pending()
        #expect(Self.refuse(&c, try c.approveEntry(p, by: "frank"))?.code == .initiatorCannotApprove)
    }

    @Test func aForgedSignatureIsRefused() throws {
        var (c, p) = try Self.pending()
        let impostor = SoftwareAuthenticator(
            privateKey: P256.Signing.PrivateKey(), credentialId: c.authenticators["erin"]!.credentialId, signCount: 100)
        c.authenticators["erin"] = impostor
        #expect(Self.refuse(&c, try c.approveEntry(p, by: "erin"))?.webAuthn == .badSignature)
    }

    @Test func aProposalNeedsTheProposersAssertion() throws {
        var c = try Cluster()
        let p = GovernanceProposal(id: "op-x", proposer: "heidi", change: .freeze)
        // Signed by erin's authenticator, presented as heidi's.
        let entry = GovernanceEntry.propose(p, assertion: c.assert("erin", p.challenge(.propose, genesisDigest: c.state.genesisDigest)))
        #expect(Self.refuse(&c, try entry.entry())?.code == .unknownCredential)
        #expect(!c.state.frozen)
        // heidi's assertion over an approval challenge does not propose.
        let wrongAct = GovernanceEntry.propose(p, assertion: c.assert("heidi", p.challenge(.approve, genesisDigest: c.state.genesisDigest)))
        #expect(Self.refuse(&c, try wrongAct.entry())?.webAuthn == .wrongChallenge)
        #expect(!c.state.frozen)
    }

    @Test func malformedEntriesAreRefused() throws {
        var c = try Cluster()
        let (p, _) = try c.propose(.addUser(id: "ivan", roles: []), by: "frank")
        let good = try c.approveEntry(p, by: "grace")
        let truncated = try Entry(kind: good.kind, payload: Array(good.payload.dropLast()), authorization: good.authorization)
        #expect(Self.refuse(&c, truncated)?.code == .malformed)
        let trailing = try Entry(kind: good.kind, payload: good.payload, authorization: good.authorization + [0])
        #expect(Self.refuse(&c, trailing)?.code == .malformed)
        let unknown = try Entry(kind: "governance.nonsense", payload: good.payload, authorization: good.authorization)
        #expect(Self.refuse(&c, unknown)?.code == .unknownKind)
        #expect(c.apply(good) == .applied(operationId: p.id, status: .proposed))
    }
}

extension ApprovalAttackTests {
    @Test func operationIdsArePrintableASCII() throws {
        var c = try Cluster()
        let p = GovernanceProposal(id: "caf\u{E9}", proposer: "heidi", change: .freeze)
        #expect(Self.refuse(&c, try c.proposeEntry(p))?.code == .malformed)
        #expect(!c.state.frozen)
    }
}
