import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// Timed governance decisions (review of issue #17 item 4): an approval or rejection of an
/// operation binds when it was signed and the review measured (`DecisionTiming`) into its
/// challenge, like a request decision. Tried as a gateway would: altering or stripping the
/// timing, holding a paused person's approval back until the pause ends, presenting a timed
/// rejection as a cancel; and as a client claiming a review longer than the operation existed.
@Suite struct GovernanceDecisionTimingTests {
    /// The test policy with `approvals` set to `section`.
    static func cluster(_ section: String, timelocks: Bool = false) throws -> Cluster {
        var policy = Cluster.policy().replacing("rules:\n", with: "approvals: \(section)\nrules:\n")
        if timelocks {
            policy = policy.replacing(
                "  freeze: {roles: [security]}\n", with: "  freeze: {roles: [security]}\n  timelocks: {\(GovernanceTimelockTests.timelocks)}\n")
        }
        var c = try Cluster(policyYAML: policy)
        // Past the hour of every approval made while setting it up.
        c.now += 2 * ApprovalPolicy.windowMillis
        return c
    }

    /// `user`'s approval of `p` with `timing`, as a client signs it.
    static func approval(_ c: inout Cluster, _ p: GovernanceProposal, by user: String, _ timing: DecisionTiming?) throws -> Entry {
        try c.approveEntry(p, by: user, timing: timing)
    }

    static func refusal(_ outcome: GovernanceOutcome) -> GovernanceError? {
        if case .refused(let error) = outcome { return error }
        return nil
    }

    @Test func aTimedApprovalCountsAndTheGatewayCanNeitherAlterNorStripItsTiming() throws {
        var c = try Self.cluster("{per_person_per_hour: 3}")
        let (op, _) = try c.propose(.addUser(id: "ivan", roles: ["trader"]), by: "erin")
        let timing = DecisionTiming(signedAt: c.now + 1000, reviewMillis: 4_000)
        let honest = try Self.approval(&c, op, by: "frank", timing)
        guard case .approve(_, _, let assertion, let signed) = try GovernanceEntry(honest) else { Issue.record("not an approval"); return }
        #expect(signed == timing)
        let forgeries: [DecisionTiming?] = [
            DecisionTiming(signedAt: timing.signedAt, reviewMillis: 60_000),
            DecisionTiming(signedAt: timing.signedAt, reviewMillis: nil),
            DecisionTiming(signedAt: timing.signedAt + 1000, reviewMillis: 4_000),
            nil,
        ]
        for forged in forgeries {
            let entry = try GovernanceEntry.approve(operationId: op.id, user: "frank", assertion: assertion, timing: forged).entry()
            let outcome = c.apply(entry)
            #expect(Cluster.webAuthnCode(outcome) == .wrongChallenge, "\(String(describing: forged)): \(outcome)")
        }
        // Nor can an approval's timed assertion be presented as a rejection.
        let asReject = try GovernanceEntry.reject(operationId: op.id, user: "frank", assertion: assertion, timing: timing).entry()
        #expect(Cluster.webAuthnCode(c.apply(asReject)) == .wrongChallenge)
        #expect(c.apply(honest) == .applied(operationId: op.id, status: .proposed))
        #expect(c.state.operations[op.id]?.approvals == ["frank"])
        #expect(c.state.approvalBook.approvals(by: "frank", at: c.now).count == 1)
    }

    /// Untimed approvals (older clients): refused where the policy bounds approvals, since the
    /// gateway could hold one back past its signer's pause; elsewhere accepted, so that logs
    /// made before timed governance decisions replay to the same state.
    @Test func anUntimedApprovalIsRefusedUnderAnApprovalsSectionAndOldLogsReplay() throws {
        var c = try Self.cluster("{per_person_per_hour: 3}")
        let (op, _) = try c.propose(.addUser(id: "ivan", roles: ["trader"]), by: "erin")
        let untimed = c.apply(try Self.approval(&c, op, by: "frank", nil))
        #expect(Cluster.code(untimed) == .decisionTiming)
        #expect(Self.refusal(untimed)?.reason.contains("frank's approval of operation \"\(op.id)\" says not") == true, "\(untimed)")
        #expect(c.state.operations[op.id]?.approvals == [])
        // A rejection is never counted, so an untimed one (a withdrawal by its proposer) still counts.
        let withdrawal = try GovernanceEntry.reject(
            operationId: op.id, user: "erin", assertion: c.assert("erin", op.challenge(.reject, genesisDigest: c.state.genesisDigest))).entry()
        #expect(c.apply(withdrawal) == .applied(operationId: op.id, status: .rejected))

        // Without an approvals section, untimed approvals count, and their log replays alike.
        var old = try Cluster()
        let (add, _) = try old.propose(.addUser(id: "ivan", roles: ["trader"]), by: "erin")
        #expect(old.apply(try Self.approval(&old, add, by: "frank", nil)) == .applied(operationId: add.id, status: .proposed))
        #expect(old.apply(try Self.approval(&old, add, by: "grace", nil)) == .applied(operationId: add.id, status: .executed))
        var replayed = try ReplicatedState(genesis: old.genesis)
        for (entry, time) in old.log { replayed.apply(entry, blockTime: time) }
        #expect(replayed.digest == old.state.digest && replayed.users["ivan"] != nil)
    }

    /// frank, paused, approves anyway; the gateway holds the approval and presents it the
    /// moment his pause ends (judged by when he signed it: still paused), and again later (more
    /// than ten minutes after its signing: refused). Signed after the pause, it counts.
    @Test func anApprovalHeldBackUntilThePauseEndsDoesNotCount() throws {
        var c = try Self.cluster("{per_person_per_hour: 1}")
        let (first, _) = try c.propose(.addUser(id: "ivan", roles: ["trader"]), by: "erin", lifetime: 7200)
        let (second, _) = try c.propose(.addUser(id: "judy", roles: ["trader"]), by: "erin", lifetime: 7200)
        let firstAt = c.now + 1000
        #expect(try c.approve(first, by: "frank") == .applied(operationId: first.id, status: .proposed))
        c.now = firstAt + 55 * 60_000
        let held = try Self.approval(&c, second, by: "frank", DecisionTiming(signedAt: c.now + 1000, reviewMillis: 30_000))
        let paused = c.apply(held)
        #expect(Cluster.code(paused) == .approvalLimit)
        #expect(Self.refusal(paused)?.reason.hasPrefix("frank gave 1 approvals in the last hour") == true, "\(paused)")
        c.now = firstAt + ApprovalPolicy.windowMillis
        #expect(Cluster.code(c.apply(held)) == .approvalLimit, "judged by when it was signed")
        c.now += DecisionTiming.maximumAgeMillis
        let late = c.apply(held)
        #expect(Cluster.code(late) == .decisionTiming)
        #expect(Self.refusal(late)?.reason.contains("more than 10 minutes before the block time") == true, "\(late)")
        #expect(c.state.operations[second.id]?.approvals == [])
        #expect(try c.approve(second, by: "frank") == .applied(operationId: second.id, status: .proposed))
        #expect(c.state.operations[second.id]?.approvals == ["frank"])
    }

    /// A review longer than the operation can have existed is refused (since it was proposed,
    /// to the committing block's time or the signing time if earlier, with the nodes' block
    /// clock skew once: final review L1); up to it, it is believed.
    @Test func aReviewLongerThanTheOperationExistedIsRefused() throws {
        var c = try Self.cluster("{per_person_per_hour: 3}")
        let (op, _) = try c.propose(.addUser(id: "ivan", roles: ["trader"]), by: "erin")
        let proposedAt = try #require(c.state.operations[op.id]).proposedAt
        let signedAt = proposedAt + 60_000
        c.now = signedAt - 1000
        let bound = 60_000 + NodeConsensus.defaultMaximumClockSkew
        let claimed = c.apply(try Self.approval(&c, op, by: "frank", DecisionTiming(signedAt: signedAt, reviewMillis: bound + 1)))
        #expect(Cluster.code(claimed) == .decisionTiming)
        #expect(Self.refusal(claimed)?.reason.contains("claims a review of \(bound + 1) ms") == true, "\(claimed)")
        #expect(c.apply(try Self.approval(&c, op, by: "frank", DecisionTiming(signedAt: signedAt, reviewMillis: bound)))
            == .applied(operationId: op.id, status: .proposed))
    }

    /// An operation approved and waiting its time-lock is cancelled with the cancel challenge,
    /// which binds when it would execute and no signing time: a timed rejection (made while it
    /// was proposed, say, and held back) is no cancel. The officer's cancel works as before.
    @Test func aTimedRejectionIsNoCancelButTheCancelChallengeStillIs() throws {
        var c = try Self.cluster("{per_person_per_hour: 10}", timelocks: true)
        let (dave, _) = try c.propose(.addUser(id: "dave", roles: ["trader"]), by: "frank")
        // heidi signs a timed rejection while it is proposed; the gateway holds it back.
        let timing = DecisionTiming(signedAt: c.now + 1000, reviewMillis: 5_000)
        let heldRejection = try GovernanceEntry.reject(
            operationId: dave.id, user: "heidi",
            assertion: c.assert("heidi", dave.challenge(.reject, genesisDigest: c.state.genesisDigest, timing: timing)), timing: timing).entry()
        try c.approve(dave, by: "grace")
        #expect(try c.approve(dave, by: "erin") == .applied(operationId: dave.id, status: .approved))
        let presented = c.apply(heldRejection)
        #expect(Cluster.code(presented) == .decisionTiming)
        #expect(Self.refusal(presented)?.reason.contains("signs the cancel challenge, which carries no time") == true, "\(presented)")
        #expect(c.status(dave) == .approved)
        // The cancel, over the cancel challenge, untimed.
        #expect(try c.reject(dave, by: "heidi") == .applied(operationId: dave.id, status: .rejected))
    }
}
