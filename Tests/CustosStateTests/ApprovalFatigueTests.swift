import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// The policy's approval-fatigue limits (`approvals`), enforced by every node in its state
/// transition and tried as an attacker would: a person alternating requests, credentials and
/// governance items to stay under the hourly count, a gateway altering or stripping the review
/// time bound into an approval, and a gateway holding an approval back to present it after the
/// pause. Every refusal names the person, the count and when the next approval is possible.
@Suite struct ApprovalFatigueTests {
    /// The test policy with `approvals` set to `section`: transfers to exchanges up to 1000 ETH
    /// are allowed, over 10 ETH they need two admins (erin, frank, grace).
    static func policy(_ section: String) -> String {
        Cluster.policy().replacing("rules:\n", with: """
            approvals: \(section)
            rules:
              - name: to-exchanges
                match: {destination: {tags: [exchange]}, amount: {up_to: 1000}}
                outcome: allow
              - name: large-needs-two-admins
                match: {amount: {over: 10}}
                outcome: {require: {group: admins, count: 2}}
                expires: 2h

            """)
    }

    /// Block time 2027-01-15 18:00:00 UTC: the setup's approvals are more than an hour before it.
    static let evening: UInt64 = 1_800_036_000_000

    /// A cluster under `policy(section)` with the risk bot registered, its clock moved to
    /// `evening` so that no approval made while setting it up is in anyone's last hour.
    static func cluster(_ section: String) throws -> (Cluster, BotSigningKey) {
        var c = try Cluster(policyYAML: policy(section))
        let key = BotSigningKey(ed25519: .init())
        try c.registerBot("risk-bot", key: key.publicKey)
        #expect(c.now < evening)
        c.now = evening
        return (c, key)
    }

    /// A bot's transfer of `amount` ETH, held for two admins; its id.
    static func held(_ c: inout Cluster, _ key: BotSigningKey, amount: String = "50") throws -> String {
        let decided = try #require(Cluster.decided(try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: amount), keyId: "risk-bot", key: key))))
        #expect(decided.outcome == .needsApprovals)
        return decided.id
    }

    /// The review the helpers claim unless told otherwise: as long as the request has existed
    /// at the cluster's clock (`c.now`, or the signing time if earlier, minus its recording
    /// block time), within what the block times allow.
    static let sinceRecorded: UInt64 = .max

    /// `user`'s timed approval of `request`, signed at `signedAt` (the next block's time by
    /// default) after a review of `review` milliseconds (by default, since it was recorded),
    /// with their credential in the cluster.
    static func approval(
        _ c: inout Cluster, _ request: String, by user: String, review: UInt64? = sinceRecorded, signedAt: UInt64? = nil
    ) throws -> (entry: Entry, timing: DecisionTiming) {
        let signedAt = signedAt ?? c.now + 1000
        var review = review
        if review == sinceRecorded {
            let recordedAt = try #require(c.state.requestBook.requests[request]).blockTime
            let shown = min(c.now, signedAt)
            review = shown > recordedAt ? shown - recordedAt : 0
        }
        let timing = DecisionTiming(signedAt: signedAt, reviewMillis: review)
        let challenge = try #require(RequestDecisionEntry.challenge(.approve, requestId: request, genesisDigest: c.state.genesisDigest, timing: timing))
        let assertion = c.assert(user, challenge)
        return (try RequestDecisionEntry(.approve, requestId: request, user: user, assertion: assertion, timing: timing).entry(), timing)
    }

    @discardableResult
    static func approve(_ c: inout Cluster, _ request: String, by user: String, review: UInt64? = sinceRecorded) throws -> GovernanceOutcome {
        c.apply(try approval(&c, request, by: user, review: review).entry)
    }

    static func refusal(_ outcome: GovernanceOutcome) -> GovernanceError? {
        if case .refused(let error) = outcome { return error }
        return nil
    }

    @Test func overTheHourlyLimitAnApproverIsPausedWithTheReasonUntilTheHourPasses() throws {
        var (c, key) = try Self.cluster("{per_person_per_hour: 2, beyond: pause}")
        let requests = try (0..<3).map { _ in try Self.held(&c, key) }
        let first = c.now + 1000
        #expect(try Self.approve(&c, requests[0], by: "frank") == .requestApprovals(requestId: requests[0], status: .pending))
        #expect(try Self.approve(&c, requests[1], by: "frank") == .requestApprovals(requestId: requests[1], status: .pending))
        #expect(c.state.approvalBook.approvals(by: "frank", at: c.now).count == 2)

        var other = c.state
        let third = try Self.approval(&c, requests[2], by: "frank").entry
        let outcome = c.apply(third)
        #expect(other.apply(third, blockTime: c.now) == outcome, "every node refuses it alike")
        let error = try #require(Self.refusal(outcome))
        #expect(error.code == .approvalLimit)
        // The first approval was at 18:00:04; it leaves the hour at 19:00:04.
        #expect(first == Self.evening + 4000)
        #expect(error.reason == "frank gave 2 approvals in the last hour, the most the policy allows; the next is possible from 2027-01-15 19:01 UTC")
        #expect(c.state.refusals.last?.user == "frank" && c.state.refusals.last?.operationId == requests[2])
        #expect(c.state.requestBook.requests[requests[2]]?.approvals?.approvals.isEmpty == true)
        #expect(c.state.approvalBook.approvals(by: "frank", at: c.now).count == 2, "a refused approval is not counted")
        #expect(other.digest == c.state.digest)
        // Others are not paused by frank's count.
        #expect(try Self.approve(&c, requests[2], by: "grace") == .requestApprovals(requestId: requests[2], status: .pending))

        // A second before the first approval leaves the hour, still paused; at it, possible again.
        c.now = first + ApprovalPolicy.windowMillis - 2000
        #expect(Cluster.code(try Self.approve(&c, requests[2], by: "frank")) == .approvalLimit)
        #expect(try Self.approve(&c, requests[2], by: "frank") == .requestApprovals(requestId: requests[2], status: .approved))
    }

    @Test func alternatingCredentialsRequestsAndGovernanceItemsDoesNotEvadeTheCount() throws {
        var (c, key) = try Self.cluster("{per_person_per_hour: 3}")
        // frank enrols a second credential; both are his.
        let code = SecureRandom.bytes(count: 32)
        let enrolment = try c.enrol("frank", codeKey: CredentialEnrolment.codeKey(ofCode: code))
        var credentials = [try #require(c.authenticators["frank"]), SoftwareAuthenticator.generate()]
        c.apply(try c.enrolEntry(enrolment.id, user: "frank", code: code, authenticator: credentials[1]))
        c.authenticators["frank"] = credentials[1]
        #expect(c.state.users["frank"]?.credentials.count == 2)
        var inUse = 1
        /// frank acts with credential `i` from now on (each keeps its own counter).
        func use(_ i: Int) {
            credentials[inUse] = c.authenticators["frank"]!
            c.authenticators["frank"] = credentials[i]
            inUse = i
        }
        c.now = Self.evening + 2 * ApprovalPolicy.windowMillis
        let requests = try (0..<3).map { _ in try Self.held(&c, key) }
        // One request approval with each credential, and a governance approval between them.
        use(0)
        #expect(try Self.approve(&c, requests[0], by: "frank") == .requestApprovals(requestId: requests[0], status: .pending))
        let (op, _) = try c.propose(.addUser(id: "ivan", roles: ["trader"]), by: "erin")
        #expect(try c.approve(op, by: "frank") == .applied(operationId: op.id, status: .proposed))
        use(1)
        #expect(try Self.approve(&c, requests[1], by: "frank") == .requestApprovals(requestId: requests[1], status: .pending))
        #expect(c.state.approvalBook.approvals(by: "frank", at: c.now).count == 3)
        // The fourth, with either credential, on any item, is refused.
        for i in [0, 1] {
            use(i)
            let outcome = try Self.approve(&c, requests[2], by: "frank")
            #expect(Self.refusal(outcome)?.code == .approvalLimit)
            #expect(Self.refusal(outcome)?.reason.hasPrefix("frank gave 3 approvals in the last hour") == true)
        }
        let (another, _) = try c.propose(.addUser(id: "judy", roles: ["trader"]), by: "erin")
        #expect(Cluster.code(try c.approve(another, by: "frank")) == .approvalLimit, "governance approvals are bounded too")
        // Rejecting is never tiring: a rejection is not counted and not refused.
        let rejection = try RequestApprovalTests.entry(&c, .reject, requests[2], by: "frank")
        #expect(c.apply(rejection) == .requestApprovals(requestId: requests[2], status: .rejected))
    }

    /// Review L1: beyond the limit under `second_person`, an approval is recorded but fills
    /// nothing, so the request needs one more approval from someone else (a 4-eyes rule then
    /// takes three people, one of them tired); and it never blocks its giver on that request for
    /// good: once back within the bound they may approve it again, and that approval counts.
    @Test func beyondTheLimitASecondPersonIsNeeded() throws {
        var (c, key) = try Self.cluster("{per_person_per_hour: 1, beyond: second_person}")
        let a = try Self.held(&c, key), b = try Self.held(&c, key), d = try Self.held(&c, key)
        try Self.approve(&c, a, by: "frank")
        // frank's second approval is recorded, beyond the limit: it fills no requirement.
        #expect(try Self.approve(&c, b, by: "frank") == .requestApprovals(requestId: b, status: .pending))
        let recorded = try #require(c.state.requestBook.requests[b])
        #expect(recorded.approvals?.approvals.map(\.beyondLimit) == [true])
        #expect(c.state.countedApprovers(of: recorded).isEmpty)
        #expect(c.state.unmetApprovals(of: recorded).map(\.count) == [2])
        // grace, within her bound, does not make it a 4-eyes approval with tired frank: a third
        // person is needed.
        #expect(try Self.approve(&c, b, by: "grace") == .requestApprovals(requestId: b, status: .pending))
        #expect(c.state.countedApprovers(of: try #require(c.state.requestBook.requests[b])) == ["grace"])
        // While still beyond his bound, frank cannot approve it again to make it count.
        #expect(Cluster.code(try Self.approve(&c, b, by: "frank")) == .approvalLimit)
        #expect(try Self.approve(&c, b, by: "erin") == .requestApprovals(requestId: b, status: .approved))
        #expect(c.state.countedApprovers(of: try #require(c.state.requestBook.requests[b])) == ["grace", "erin"])
        // frank's approval of d, beyond his bound, does not block him on d: an hour on, within
        // his bound again, he approves it anew, that approval replaces the first and counts.
        #expect(try Self.approve(&c, d, by: "frank") == .requestApprovals(requestId: d, status: .pending))
        c.now += 3_700_000
        #expect(try Self.approve(&c, d, by: "frank") == .requestApprovals(requestId: d, status: .pending))
        let again = try #require(c.state.requestBook.requests[d])
        #expect(again.approvals?.approvals.map(\.user) == ["frank"] && again.approvals?.approvals.map(\.beyondLimit) == [false])
        #expect(c.state.countedApprovers(of: again) == ["frank"])
        // Each person still decides once: an approval within the bound is final.
        #expect(Cluster.code(try Self.approve(&c, d, by: "frank")) == .duplicateApproval)
        #expect(try Self.approve(&c, d, by: "grace") == .requestApprovals(requestId: d, status: .approved))
        // A governance approval over the limit is refused even so: the quorum is not widened.
        let (op, _) = try c.propose(.addUser(id: "ivan", roles: ["trader"]), by: "erin")
        #expect(Cluster.code(try c.approve(op, by: "grace")) == .approvalLimit)
    }

    /// Review L2: the gateway may skew block times by about a minute either way. It commits
    /// frank's first approval a minute and five seconds before he signed it, and his next one,
    /// signed 30 seconds before his own hour ends, a minute and five seconds after: by block
    /// times alone his hour would have passed. The window is judged by his signing times too,
    /// whichever is stricter, so he is still paused.
    @Test func aGatewaySkewingBlockTimesCannotShortenTheHour() throws {
        var (c, key) = try Self.cluster("{per_person_per_hour: 1}")
        let a = try Self.held(&c, key), b = try Self.held(&c, key)
        let skew: UInt64 = 65_000
        let signed = c.now + 120_000
        c.now = signed - skew - 1000  // the next block's time is `signed - skew`
        #expect(c.apply(try Self.approval(&c, a, by: "frank", signedAt: signed).entry) == .requestApprovals(requestId: a, status: .pending))
        #expect(c.state.approvalBook.approvals(by: "frank", at: c.now) == [signed], "kept at the later of block and signing time")

        let early = signed + ApprovalPolicy.windowMillis - 30_000
        let held = try Self.approval(&c, b, by: "frank", signedAt: early).entry
        c.now = early + skew - 1000
        let outcome = c.apply(held)
        #expect(Cluster.code(outcome) == .approvalLimit, "\(outcome)")
        #expect(c.state.requestBook.requests[b]?.approvals?.approvals.isEmpty == true)
        // Signed once his own hour has passed, it counts.
        let (late, _) = try Self.approval(&c, b, by: "frank", signedAt: signed + ApprovalPolicy.windowMillis)
        #expect(c.apply(late) == .requestApprovals(requestId: b, status: .pending))
    }

    /// Review L3, final review L1/L4: a review is what the client says, but no client can have
    /// shown a request before it was recorded. A client signing five minutes ahead of the block
    /// (the lead the nodes accept) claims a ten-minute review of a request recorded in the block
    /// before: refused. The bound is the block time minus the recording block's time, plus the
    /// nodes' clock skew once; up to it the review is believed, also from an approver whose
    /// clock is slower than the skew (review of cool8, item 3: the bound is not their clock).
    @Test func aReviewLongerThanTheBlockTimesAllowIsRefused() throws {
        var (c, key) = try Self.cluster("{hasty: {within: 60s, over_usd: 0}}")
        let a = try Self.held(&c, key)
        let recordedAt = try #require(c.state.requestBook.requests[a]).blockTime
        let skew = NodeConsensus.defaultMaximumClockSkew
        let ahead = c.now + 1000 + DecisionTiming.maximumLeadMillis
        let claimed = try Self.approval(&c, a, by: "frank", review: 10 * 60_000, signedAt: ahead).entry
        let refused = c.apply(claimed)
        #expect(Cluster.code(refused) == .decisionTiming)
        #expect(Self.refusal(refused)?.reason.contains("claims a review of 600000 ms") == true, "\(refused)")
        #expect(c.state.requestBook.requests[a]?.approvals?.approvals.isEmpty == true)
        // Signed ahead, a review of a minute is no more believable than the block time allows:
        // the 60 s hasty threshold holds against a forged value.
        let minute = try Self.approval(&c, a, by: "frank", review: 60_000, signedAt: c.now + 1000 + DecisionTiming.maximumLeadMillis).entry
        #expect(Cluster.code(c.apply(minute)) == .decisionTiming)
        // Signed at the block's time: the bound is the block time since recording plus the skew.
        let bound = c.now + 1000 - recordedAt + skew
        let tooLong = try Self.approval(&c, a, by: "frank", review: bound + 1, signedAt: c.now + 1000).entry
        #expect(Cluster.code(c.apply(tooLong)) == .decisionTiming)
        let exact = c.now + 1000 - recordedAt + skew
        let slow = c.now + 1000 - 3 * skew
        let believed = try Self.approval(&c, a, by: "frank", review: exact, signedAt: slow).entry
        #expect(c.apply(believed) == .requestApprovals(requestId: a, status: .pending))
        #expect(c.state.requestBook.requests[a]?.approvals?.approvals.first?.reviewMillis == exact)
        #expect(c.state.approvalBook.flagged.first?.reason == .hasty, "a review under the 60 s threshold is flagged")
    }

    /// A request whose USD notional is not known (no price for its asset) counts as large: a
    /// hasty approval of it is flagged, whatever `over_usd` says.
    @Test func anUnpricedRequestCountsAsLarge() throws {
        var (c, key) = try Self.cluster("{hasty: {within: 10s, over_usd: 1000000}}")
        let a = try Self.held(&c, key, amount: "50")
        try Self.approve(&c, a, by: "frank", review: 1_000)
        let flagged = try #require(c.state.approvalBook.flagged.first)
        #expect(flagged.requestId == a && flagged.reason == .hasty && flagged.usd == nil)
    }

    @Test func aGatewayCannotAlterTheReviewTimeNorHoldAnApprovalBackPastThePause() throws {
        var (c, key) = try Self.cluster("{per_person_per_hour: 1, hasty: {within: 10s, over_usd: 0}}")
        let a = try Self.held(&c, key), b = try Self.held(&c, key)
        let (honest, timing) = try Self.approval(&c, a, by: "frank", review: 2_000)
        let signed = try RequestDecisionEntry(honest)
        // The gateway makes the two-second review look like a minute, or strips the timing, or
        // moves the signing time: the assertion covers them all.
        let forgeries = [
            DecisionTiming(signedAt: timing.signedAt, reviewMillis: 60_000),
            DecisionTiming(signedAt: timing.signedAt, reviewMillis: nil),
            DecisionTiming(signedAt: timing.signedAt - 1000, reviewMillis: 2_000),
        ]
        for forged in forgeries {
            let entry = try RequestDecisionEntry(.approve, requestId: a, user: "frank", assertion: signed.assertion, timing: forged).entry()
            let outcome = c.apply(entry)
            #expect(Cluster.code(outcome) == .assertionRefused && Cluster.webAuthnCode(outcome) == .wrongChallenge)
        }
        let stripped = try RequestDecisionEntry(.approve, requestId: a, user: "frank", assertion: signed.assertion).entry()
        #expect(Cluster.webAuthnCode(c.apply(stripped)) == .wrongChallenge)
        // An untimed approval, correctly signed (an older client), is refused under this policy.
        let untimed = try RequestApprovalTests.entry(&c, .approve, a, by: "frank")
        #expect(Cluster.code(c.apply(untimed)) == .decisionTiming)
        #expect(c.state.requestBook.requests[a]?.approvals?.approvals.isEmpty == true)

        // The honest approval, within ten minutes of its signing, counts — flagged as hasty.
        #expect(c.apply(honest) == .requestApprovals(requestId: a, status: .pending))
        let flagged = try #require(c.state.approvalBook.flagged.last)
        #expect(flagged.requestId == a && flagged.user == "frank" && flagged.reason == .hasty && flagged.reviewMillis == 2_000)
        #expect(flagged.usd == nil, "no ETH price: the notional is unknown, so the request counts as large")
        #expect(c.state.requestBook.requests[a]?.approvals?.approvals.first?.flagged == .hasty)

        // frank, paused, approves b anyway; the gateway holds the approval and presents it after
        // the hour, when frank's count is back to zero: it was signed too long before.
        let (held, _) = try Self.approval(&c, b, by: "frank")
        #expect(Cluster.code(c.apply(held)) == .approvalLimit)
        c.now += ApprovalPolicy.windowMillis
        let late = c.apply(held)
        #expect(Cluster.code(late) == .decisionTiming)
        #expect(Self.refusal(late)?.reason.contains("more than 10 minutes before the block time") == true)
        // Signed "in the future" by more than five minutes: refused too.
        let ahead = try Self.approval(&c, b, by: "frank", signedAt: c.now + 1000 + 301_000).entry
        #expect(Cluster.code(c.apply(ahead)) == .decisionTiming)
        #expect(c.state.requestBook.requests[b]?.approvals?.approvals.isEmpty == true)
        // Signed now, it counts.
        #expect(try Self.approve(&c, b, by: "frank") == .requestApprovals(requestId: b, status: .pending))
    }

    /// Review M1: a paused person's approval, refused, and presented again by the gateway the
    /// moment the pause ends — within the ten minutes its signing time allows — still does not
    /// count: it is judged by what its signer had given in the hour before they signed it.
    @Test func anApprovalHeldBackUntilThePauseEndsDoesNotCount() throws {
        var (c, key) = try Self.cluster("{per_person_per_hour: 1}")
        let a = try Self.held(&c, key), b = try Self.held(&c, key)
        let first = c.now + 1000
        #expect(try Self.approve(&c, a, by: "frank") == .requestApprovals(requestId: a, status: .pending))
        // 55 minutes on, frank is still paused; his approval of b is refused.
        c.now = first + 55 * 60_000
        let (held, _) = try Self.approval(&c, b, by: "frank")
        #expect(Cluster.code(c.apply(held)) == .approvalLimit)
        // One second after the pause ends (six minutes after signing), the gateway replays it.
        c.now = first + ApprovalPolicy.windowMillis
        let replayed = c.apply(held)
        #expect(Cluster.code(replayed) == .approvalLimit, "\(replayed)")
        #expect(c.state.requestBook.requests[b]?.approvals?.approvals.isEmpty == true)
        #expect(c.state.approvalBook.approvals(by: "frank", at: c.now).isEmpty, "at the block his hour has passed; the signing time judges it")
        // Signed now, after the pause, it counts.
        #expect(try Self.approve(&c, b, by: "frank") == .requestApprovals(requestId: b, status: .pending))
    }

    @Test func hastyApprovalsOfLargeRequestsAreFlaggedBySizeAndReview() throws {
        var (c, key) = try Self.cluster("{hasty: {within: 10s, over_usd: 100000}}")
        for source in PriceRoomTests.sources {
            let priceKey = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
            try c.registerBot(source, key: priceKey.publicKey, roles: [PriceEntry.sourceRole])
            let body = PricePost(asset: "ETH", usd: FixedDecimal(1000)!, time: Int64((c.now + 1000) / 1000)).json
            #expect(c.apply(try PriceEntry.post(c.signed(body, keyId: source, key: priceKey))) == .priced(asset: "ETH", source: source))
        }
        let small = try Self.held(&c, key, amount: "50")  // 50,000 USD
        let large = try Self.held(&c, key, amount: "500")  // 500,000 USD
        try Self.approve(&c, small, by: "frank", review: 1_000)
        #expect(c.state.approvalBook.flagged.isEmpty, "a small request is never flagged")
        try Self.approve(&c, large, by: "frank", review: 10_000)
        #expect(c.state.approvalBook.flagged.isEmpty, "ten seconds is not hasty under a 10s threshold")
        try Self.approve(&c, large, by: "grace", review: nil)
        let flagged = try #require(c.state.approvalBook.flagged.last)
        #expect(c.state.approvalBook.flagged.count == 1)
        #expect(flagged.user == "grace" && flagged.reason == .unmeasured && flagged.reviewMillis == nil)
        #expect(flagged.usd == FixedDecimal(500_000)!)
        #expect(c.state.requestBook.requests[large]?.approvals?.status == .approved, "a flag is for review; it does not hold the request")
    }

    /// The approvals room enters the digest: two states that differ in it alone — the same
    /// approval, with the same review and credential counter, signed at the block's time or two
    /// minutes ahead of it (kept at the later time) — have different digests, while every other
    /// room is alike.
    @Test func theApprovalsRoomIsInTheDigestAndReplaysAlike() throws {
        var (c, key) = try Self.cluster("{per_person_per_hour: 5, hasty: {within: 10s, over_usd: 0}}")
        let id = try Self.held(&c, key)
        var replayed = try ReplicatedState(genesis: c.genesis)
        for (entry, time) in c.log { replayed.apply(entry, blockTime: time) }
        #expect(replayed.digest == c.state.digest)
        let before = c.state.digest
        try Self.approve(&c, id, by: "frank", review: 1_000)
        #expect(c.state.digest != before)
        // Made with the same credential counter, so that only the signing time differs.
        var onTime = replayed
        var ahead = replayed
        let time = c.now
        c.now -= 1000
        let credential = try #require(c.authenticators["frank"])
        let onTimeEntry = try Self.approval(&c, id, by: "frank", review: 10_000, signedAt: time).entry
        c.authenticators["frank"] = credential
        let aheadEntry = try Self.approval(&c, id, by: "frank", review: 10_000, signedAt: time + 120_000).entry
        #expect(onTime.apply(onTimeEntry, blockTime: time) == .requestApprovals(requestId: id, status: .pending))
        #expect(ahead.apply(aheadEntry, blockTime: time) == .requestApprovals(requestId: id, status: .pending))
        #expect(onTime.requestBook == ahead.requestBook && onTime.users == ahead.users && onTime.refusals == ahead.refusals)
        #expect(onTime.approvalBook.approvals(by: "frank", at: time) == [time])
        #expect(ahead.approvalBook.approvals(by: "frank", at: time) == [time + 120_000])
        #expect(onTime.digest != ahead.digest, "the approvals room is part of the digest")
        // The same approval with another review is another state too (the requests room says so).
        var fast = replayed
        c.authenticators["frank"] = credential
        let fastEntry = try Self.approval(&c, id, by: "frank", review: 1_000, signedAt: time).entry
        fast.apply(fastEntry, blockTime: time)
        #expect(onTime.digest != fast.digest)
        #expect(onTime.approvalBook.flagged.isEmpty && fast.approvalBook.flagged.count == 1)
    }
}
