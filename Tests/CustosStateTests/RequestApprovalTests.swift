import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// Approvals of requests the policy holds for approvals (`request.approve`, `request.reject`),
/// tried as an attacker would: the initiator approving their own request, an assertion made for
/// another cluster or another request, a replayed approval, people outside the groups, a removed
/// approver, rejections by the wrong people, and decisions after the request expired or was
/// rejected. Every refusal is recorded alike on every node; only the counted approvals of
/// eligible people make a request signable.
@Suite struct RequestApprovalTests {
    /// Transfers to exchanges are allowed up to 1000 ETH; above 10 they need two admins (erin,
    /// frank, grace; heidi is security only), for at most an hour — or what `large` asks.
    static func cluster(
        _ base: Cluster? = nil, large: String = "{require: {group: admins, count: 2}}"
    ) throws -> (Cluster, BotSigningKey) {
        var c = try base ?? Cluster()
        let next = Cluster.policy(version: 2).replacing("rules:\n", with: """
            rules:
              - name: to-exchanges
                match: {destination: {tags: [exchange]}, amount: {up_to: 1000}}
                outcome: allow
              - name: large-needs-two-admins
                match: {amount: {over: 10}}
                outcome: \(large)
                expires: 1h
              - name: messages-need-two-admins
                match: {kind: [message]}
                outcome: {require: {group: admins, count: 2}}
              - name: messages
                match: {message: {format: [eip191, raw]}}
                outcome: allow

            """)
        let (change, _) = try c.propose(.changePolicy(yaml: next), by: "frank")
        try c.approve(change, by: "grace")
        try c.approve(change, by: "erin")
        #expect(c.state.policyVersion == 2, "\(String(describing: c.state.operations[change.id]?.failure))")
        let key = BotSigningKey(ed25519: .init())
        try c.registerBot("risk-bot", key: key.publicKey)
        return (c, key)
    }

    /// Submits a bot's transfer of `amount` and returns its id; it must be held for approvals.
    static func held(_ c: inout Cluster, _ key: BotSigningKey, amount: String = "50") throws -> String {
        let outcome = try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: amount), keyId: "risk-bot", key: key))
        let decided = try #require(Cluster.decided(outcome))
        #expect(decided.outcome == .needsApprovals)
        return decided.id
    }

    /// `user`'s decision on `request`, asserted over the challenge for `genesis` (this cluster's
    /// by default) and `signedFor` (the request itself by default).
    static func entry(
        _ c: inout Cluster, _ act: RequestDecisionEntry.Act, _ request: String, by user: String, genesis: [UInt8]? = nil,
        signedFor: String? = nil, signedAs: RequestDecisionEntry.Act? = nil
    ) throws -> Entry {
        let challenge = try #require(RequestDecisionEntry.challenge(
            signedAs ?? act, requestId: signedFor ?? request, genesisDigest: genesis ?? c.state.genesisDigest))
        return try RequestDecisionEntry(act, requestId: request, user: user, assertion: c.assert(user, challenge)).entry()
    }

    @discardableResult
    static func decide(_ c: inout Cluster, _ act: RequestDecisionEntry.Act, _ request: String, by user: String) throws -> GovernanceOutcome {
        c.apply(try entry(&c, act, request, by: user))
    }

    static func approvals(_ c: Cluster, _ id: String) -> RequestApprovals? { c.state.requestBook.requests[id]?.approvals }

    @Test func twoEligibleApprovalsMakeARequestSignableAndOneDoesNot() throws {
        var (c, key) = try Self.cluster()
        let id = try Self.held(&c, key)
        let recorded = try #require(c.state.requestBook.requests[id])
        #expect(recorded.decision.approvalExpirySeconds == 3600)
        #expect(recorded.approvals?.expiresAt == c.now + 3_600_000)
        #expect(c.state.eligibleApprovers(of: recorded) == ["erin", "frank", "grace"])
        #expect(!recorded.isAllowed)

        var other = c.state
        let first = try Self.entry(&c, .approve, id, by: "grace")
        #expect(c.apply(first) == .requestApprovals(requestId: id, status: .pending))
        #expect(other.apply(first, blockTime: c.now) == .requestApprovals(requestId: id, status: .pending))
        #expect(c.state.requestBook.requests[id]?.isAllowed == false)
        let unmet = c.state.unmetApprovals(of: c.state.requestBook.requests[id]!)
        #expect(unmet.map(\.rule) == ["large-needs-two-admins"] && unmet.map(\.group) == ["admins"] && unmet.map(\.count) == [1])

        let second = try Self.entry(&c, .approve, id, by: "erin")
        #expect(c.apply(second) == .requestApprovals(requestId: id, status: .approved))
        #expect(other.apply(second, blockTime: c.now) == .requestApprovals(requestId: id, status: .approved))
        let approved = try #require(c.state.requestBook.requests[id])
        #expect(approved.isAllowed)
        #expect(approved.approvals?.approvals.map(\.user) == ["grace", "erin"])
        #expect(approved.approvals?.decidedAt == c.now)
        #expect(other.digest == c.state.digest)
        // Decided for good: a third approval is refused.
        #expect(Cluster.code(try Self.decide(&c, .approve, id, by: "frank")) == .notPending)
    }

    /// A rule met by either two admins or one security officer (DESIGN: groups combined with
    /// AND/OR): the security officer's alternative is the closer one, yet an admin may approve
    /// and reject too, and the request is signable once either alternative is filled — never
    /// by one admin, never by someone in neither group.
    @Test func everyAlternativesGroupsMayApproveAndEitherAlternativeSuffices() throws {
        let either = "{require: {any: [{group: admins, count: 2}, {group: security, count: 1}]}}"
        var (c, key) = try Self.cluster(large: either)
        let id = try Self.held(&c, key)
        let recorded = try #require(c.state.requestBook.requests[id])
        #expect(recorded.decision.pending.map(\.group) == ["security"], "the closer alternative is shown")
        #expect(recorded.decision.requirements.map { $0.alternatives.map { $0.map(\.group) } } == [[["admins"], ["security"]]])
        #expect(c.state.eligibleApprovers(of: recorded) == ["erin", "frank", "grace", "heidi"])
        let explanation = c.state.review(of: recorded).explanation.lines
        #expect(explanation.contains("rule large-needs-two-admins is met by any one of: 2 from admins; or 1 from security"), "\(explanation)")

        var byAdmins = c
        #expect(try Self.decide(&byAdmins, .approve, id, by: "frank") == .requestApprovals(requestId: id, status: .pending))
        let unmet = byAdmins.state.unmetApprovals(of: byAdmins.state.requestBook.requests[id]!)
        #expect(unmet.map(\.group) == ["admins"] && unmet.map(\.count) == [1],
                "one admin fills neither alternative; one more admin is now as close as one security officer, and first")
        #expect(try Self.decide(&byAdmins, .approve, id, by: "grace") == .requestApprovals(requestId: id, status: .approved))

        var bySecurity = c
        #expect(try Self.decide(&bySecurity, .approve, id, by: "heidi") == .requestApprovals(requestId: id, status: .approved))

        var rejected = c
        #expect(try Self.decide(&rejected, .reject, id, by: "erin") == .requestApprovals(requestId: id, status: .rejected),
                "an admin may reject through the alternative that is not the closest")
        let stranger = try RequestDecisionEntry(
            .approve, requestId: id, user: "mallory",
            assertion: c.assert("frank", try #require(RequestDecisionEntry.challenge(.approve, requestId: id, genesisDigest: c.state.genesisDigest)))).entry()
        #expect(Cluster.code(c.apply(stranger)) == .unknownUser)
    }

    @Test func theInitiatorNeverCounts() throws {
        var (c, _) = try Self.cluster()
        // erin (an admin) asks for 50 ETH herself: only frank and grace may decide it.
        let request = RequestEntry.personEnvelope(
            body: Cluster.transfer(by: "erin", amount: "50"), cluster: c.state.genesisDigest, user: "erin", timestamp: Int64(c.now), nonce: c.nonce())
        let submitted = c.apply(try RequestEntry.submit(request, assertion: c.assert("erin", RequestEntry.personChallenge(request))))
        let id = try #require(Cluster.decided(submitted)).id
        #expect(c.state.eligibleApprovers(of: c.state.requestBook.requests[id]!) == ["frank", "grace"])
        #expect(Cluster.code(try Self.decide(&c, .approve, id, by: "erin")) == .initiatorCannotApprove)
        #expect(Cluster.code(try Self.decide(&c, .reject, id, by: "erin")) == .initiatorCannotApprove)
        #expect(try Self.decide(&c, .approve, id, by: "frank") == .requestApprovals(requestId: id, status: .pending))
        #expect(Self.approvals(c, id)?.approvals.map(\.user) == ["frank"])
        #expect(c.state.refusals.suffix(2).allSatisfy { $0.operationId == id && $0.user == "erin" && $0.kind.hasPrefix("request.") })
    }

    @Test func anAssertionCountsOnlyForItsRequestItsActAndThisCluster() throws {
        var (c, key) = try Self.cluster()
        let id = try Self.held(&c, key)
        let other = try Self.held(&c, key, amount: "60")
        let elsewhere = Hashes.sha256(Array("another cluster".utf8))
        let forged = [
            try Self.entry(&c, .approve, id, by: "frank", genesis: elsewhere),
            try Self.entry(&c, .approve, id, by: "frank", signedFor: other),
            try Self.entry(&c, .approve, id, by: "frank", signedAs: .reject),
        ]
        for entry in forged {
            let outcome = c.apply(entry)
            #expect(Cluster.code(outcome) == .assertionRefused)
            #expect(Cluster.webAuthnCode(outcome) == .wrongChallenge)
        }
        // A governance approval's assertion is not a request approval either.
        let (op, _) = try c.propose(.freeze, by: "grace")
        let governance = c.assert("frank", op.challenge(.approve, genesisDigest: c.state.genesisDigest))
        let replayed = try RequestDecisionEntry(.approve, requestId: id, user: "frank", assertion: governance).entry()
        #expect(Cluster.webAuthnCode(c.apply(replayed)) == .wrongChallenge)
        #expect(Self.approvals(c, id)?.approvals.isEmpty == true)
        // A user-presence-only assertion, or one from another origin, is refused as a governance one is.
        let challenge = try #require(RequestDecisionEntry.challenge(.approve, requestId: id, genesisDigest: c.state.genesisDigest))
        for assertion in [c.assert("frank", challenge, userVerified: false), c.assert("frank", challenge, origin: "https://evil.test")] {
            let outcome = c.apply(try RequestDecisionEntry(.approve, requestId: id, user: "frank", assertion: assertion).entry())
            #expect(Cluster.code(outcome) == .assertionRefused)
        }
        #expect(Self.approvals(c, id)?.approvals.isEmpty == true)
    }

    @Test func aReplayedApprovalCountsOnce() throws {
        var (c, key) = try Self.cluster()
        let id = try Self.held(&c, key)
        let entry = try Self.entry(&c, .approve, id, by: "frank")
        #expect(c.apply(entry) == .requestApprovals(requestId: id, status: .pending))
        // The same entry again: frank already decided (and the counter would not move either).
        #expect(Cluster.code(c.apply(entry)) == .duplicateApproval)
        // A fresh assertion by frank still counts only once.
        #expect(Cluster.code(try Self.decide(&c, .approve, id, by: "frank")) == .duplicateApproval)
        #expect(Self.approvals(c, id)?.approvals.map(\.user) == ["frank"])
        #expect(Self.approvals(c, id)?.status == .pending)
    }

    @Test func peopleOutsideTheGroupsMayNeitherApproveNorReject() throws {
        var (c, key) = try Self.cluster()
        let id = try Self.held(&c, key)
        // heidi is a security officer, not an admin; nobody is not a member at all.
        #expect(Cluster.code(try Self.decide(&c, .approve, id, by: "heidi")) == .notEligible)
        #expect(Cluster.code(try Self.decide(&c, .reject, id, by: "heidi")) == .notEligible)
        let unknown = try RequestDecisionEntry(
            .approve, requestId: id, user: "mallory",
            assertion: c.assert("frank", try #require(RequestDecisionEntry.challenge(.approve, requestId: id, genesisDigest: c.state.genesisDigest)))).entry()
        #expect(Cluster.code(c.apply(unknown)) == .unknownUser)
        #expect(Self.approvals(c, id)?.status == .pending)
        #expect(Self.approvals(c, id)?.approvals.isEmpty == true)
        // A request allowed outright, and one never recorded, have nothing to approve.
        let allowed = try #require(Cluster.decided(try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "5"), keyId: "risk-bot", key: key))))
        #expect(allowed.outcome == .allow)
        #expect(Cluster.code(try Self.decide(&c, .approve, allowed.id, by: "frank")) == .notPending)
        #expect(Cluster.code(try Self.decide(&c, .approve, String(repeating: "ab", count: 32), by: "frank")) == .unknownRequest)
    }

    @Test func aRemovedApproverStopsCounting() throws {
        var (c, key) = try Self.cluster()
        try c.addPerson("ivan", roles: ["admin"])
        let id = try Self.held(&c, key)
        #expect(try Self.decide(&c, .approve, id, by: "ivan") == .requestApprovals(requestId: id, status: .pending))
        let (remove, _) = try c.propose(.removeUser(id: "ivan"), by: "frank")
        try c.approve(remove, by: "grace")
        try c.approve(remove, by: "erin")
        #expect(c.state.users["ivan"]?.active == false)
        let recorded = try #require(c.state.requestBook.requests[id])
        #expect(c.state.countedApprovers(of: recorded).isEmpty)
        // One more admin would have made two with ivan; without him it is still one short.
        #expect(try Self.decide(&c, .approve, id, by: "frank") == .requestApprovals(requestId: id, status: .pending))
        #expect(c.state.requestBook.requests[id]?.isAllowed == false)
        #expect(c.state.unmetApprovals(of: c.state.requestBook.requests[id]!).map(\.count) == [1])
        #expect(try Self.decide(&c, .approve, id, by: "grace") == .requestApprovals(requestId: id, status: .approved))
        #expect(c.state.countedApprovers(of: c.state.requestBook.requests[id]!) == ["frank", "grace"])
    }

    @Test func anEligibleRejectionStopsTheRequestForGood() throws {
        var (c, key) = try Self.cluster()
        let id = try Self.held(&c, key)
        #expect(try Self.decide(&c, .approve, id, by: "erin") == .requestApprovals(requestId: id, status: .pending))
        // erin approved; she cannot now reject as well.
        #expect(Cluster.code(try Self.decide(&c, .reject, id, by: "erin")) == .duplicateApproval)
        #expect(try Self.decide(&c, .reject, id, by: "frank") == .requestApprovals(requestId: id, status: .rejected))
        let rejected = try #require(Self.approvals(c, id))
        #expect(rejected.rejection?.user == "frank")
        #expect(rejected.decidedAt == c.now)
        // Approvals after the rejection are refused and change nothing.
        #expect(Cluster.code(try Self.decide(&c, .approve, id, by: "grace")) == .notPending)
        #expect(c.state.requestBook.requests[id]?.isAllowed == false)
    }

    @Test func aRequestNotApprovedInTimeExpires() throws {
        var (c, key) = try Self.cluster()
        let id = try Self.held(&c, key)
        let expiresAt = try #require(Self.approvals(c, id)).expiresAt
        #expect(try Self.decide(&c, .approve, id, by: "erin") == .requestApprovals(requestId: id, status: .pending))
        // The block at the expiry itself: the request has expired before the entry is read.
        let late = try Self.entry(&c, .approve, id, by: "frank")
        c.now = expiresAt - 1000
        #expect(Cluster.code(c.apply(late)) == .expired)
        #expect(Self.approvals(c, id)?.status == .expired)
        #expect(Self.approvals(c, id)?.decidedAt == expiresAt)
        #expect(c.state.requestBook.requests[id]?.isAllowed == false)
        #expect(Cluster.code(try Self.decide(&c, .reject, id, by: "grace")) == .expired)
    }

    @Test func theDefaultExpiryIsADayAndExpiresOnlyOnRequireRules() throws {
        #expect(PolicyDecision.defaultApprovalExpirySeconds == 24 * 3600)
        let allowWithExpiry = Cluster.policy(version: 2).replacing("outcome: allow\n", with: "outcome: allow\n    expires: 1h\n")
        #expect(throws: PolicyLoadError.self) { try PolicyDocument.decode(yaml: allowWithExpiry) }
        var (c, key) = try Self.cluster()
        let next = c.state.policyYAML.replacing("    expires: 1h\n", with: "").replacing("version: 2", with: "version: 3")
        #expect(next != c.state.policyYAML)
        let (change, _) = try c.propose(.changePolicy(yaml: next), by: "frank")
        try c.approve(change, by: "grace")
        try c.approve(change, by: "erin")
        #expect(c.state.policyVersion == 3)
        let id = try Self.held(&c, key)
        #expect(Self.approvals(c, id)?.expiresAt == c.now + 24 * 3_600_000)
    }

    @Test func decisionsAreRefusedAsEntriesBeforeAnyStateReadsThem() throws {
        var (c, key) = try Self.cluster()
        let id = try Self.held(&c, key)
        let good = try Self.entry(&c, .approve, id, by: "frank")
        #expect(try ReplicatedState.signer(of: good) == EntrySigner(role: .person, id: "frank"))
        let unsigned = try Entry(kind: RequestDecisionEntry.approveKind, payload: good.payload)
        #expect(ReplicatedState.malformation(of: unsigned)?.code == .unsigned)
        let truncated = try Entry(kind: RequestDecisionEntry.rejectKind, payload: Array(good.payload.dropLast()), authorization: good.authorization)
        #expect(ReplicatedState.malformation(of: truncated)?.code == .malformed)
        let oversize = try Entry(kind: RequestDecisionEntry.approveKind, payload: good.payload, authorization: good.authorization + Array(repeating: 0, count: 33 * 1024))
        #expect(ReplicatedState.malformation(of: oversize)?.code == .oversize)
        #expect(RequestDecisionEntry.challenge(.approve, requestId: "not-an-id", genesisDigest: c.state.genesisDigest) == nil)
        // Committed anyway (by a faulty gateway), every node records the same refusal.
        #expect(Cluster.code(c.apply(truncated)) == .malformed)
        #expect(Self.approvals(c, id)?.approvals.isEmpty == true)
    }

    @Test func theLastApprovalIsRefusedWhileFrozenAndCountsOnceUnfrozen() throws {
        let ceremony = VaultCeremonyTests()
        var (c, key) = try Self.cluster(try ceremony.cluster())
        _ = try ceremony.generate(&c, "hot", .frostEd25519)
        let body = MessageRequestTests.body(MessageRequestTests.hex("raw", "0x0102"), vault: "hot")
        let decided = try #require(Cluster.decided(try c.submit(c.signed(body, keyId: "risk-bot", key: key))))
        #expect(decided.outcome == .needsApprovals)
        #expect(Self.approvals(c, decided.id)?.expiresAt == c.now + 24 * 3_600_000)
        #expect(try Self.decide(&c, .approve, decided.id, by: "grace") == .requestApprovals(requestId: decided.id, status: .pending))
        #expect(c.state.signing[decided.id] == nil)
        // Frozen before the second approval: the policy in force denies everything, so approvals
        // gathered before the freeze cannot make the request signable the moment it is lifted.
        let (freeze, _) = try c.propose(.freeze, by: "heidi")
        #expect(c.status(freeze) == .executed)
        #expect(Cluster.code(try Self.decide(&c, .approve, decided.id, by: "frank")) == .notPermitted)
        #expect(Self.approvals(c, decided.id)?.status == .pending && Self.approvals(c, decided.id)?.approvals.map(\.user) == ["grace"])
        #expect(c.state.signing[decided.id] == nil)
        // Unfrozen by the quorum, the same person approves again and the session opens.
        let (unfreeze, _) = try c.propose(.unfreeze, by: "heidi")
        for approver in ["frank", "grace", "erin"] where c.state.frozen { try c.approve(unfreeze, by: approver) }
        #expect(!c.state.frozen)
        #expect(try Self.decide(&c, .approve, decided.id, by: "frank") == .requestApprovals(requestId: decided.id, status: .approved))
        let session = try #require(c.state.signing[decided.id])
        #expect(session.message == [0x01, 0x02])
    }

    /// The policy in force when the last approval lands decides: a policy tightened after the
    /// request was submitted is not outrun by approvals gathered under the old one.
    @Test func theLastApprovalIsJudgedByThePolicyInForce() throws {
        var (c, key) = try Self.cluster()
        let id = try Self.held(&c, key)
        #expect(try Self.decide(&c, .approve, id, by: "grace") == .requestApprovals(requestId: id, status: .pending))
        // The quorum now denies large transfers outright.
        let stricter = Cluster.policy(version: 3).replacing("rules:\n", with: """
            rules:
              - name: large-denied
                match: {amount: {over: 10}}
                outcome: deny
              - name: large-needs-two-admins
                match: {amount: {over: 10}}
                outcome: {require: {group: admins, count: 2}}

            """)
        let (change, _) = try c.propose(.changePolicy(yaml: stricter), by: "frank")
        try c.approve(change, by: "grace")
        try c.approve(change, by: "erin")
        #expect(c.state.policyVersion == 3, "\(String(describing: c.state.operations[change.id]?.failure))")
        #expect(Cluster.code(try Self.decide(&c, .approve, id, by: "erin")) == .notPermitted)
        #expect(Self.approvals(c, id)?.status == .pending)
        #expect(c.state.requestBook.requests[id]?.isAllowed == false)
    }
}
