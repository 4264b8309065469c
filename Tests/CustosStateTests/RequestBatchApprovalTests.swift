import BigInt
import Crypto
import CustosChains
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// One approval of several requests held for approvals (`request.approve-batch`), tried as an
/// attacker would: a list that slips in a request the person may not approve, one already
/// decided, the same id twice, more than the bound, a batch assertion presented as a single
/// approval and a single one as a batch, a replay. Every refusal names the request and applies
/// nothing — no approval, no counter, no hourly count; an accepted batch counts exactly as the
/// single approvals would, request by request.
@Suite struct RequestBatchApprovalTests {
    /// `user`'s approval of `ids` together, signed now after a one-minute review (or with the
    /// assertion `assertion` over another challenge). The cluster's clock first moves on until
    /// the last of them was recorded that long ago: no client measures a review of a request
    /// longer than it existed, and every node refuses one that claims it.
    static func batch(
        _ c: inout Cluster, _ ids: [String], by user: String, review: UInt64? = 60_000, assertion: WebAuthnAssertion.Response? = nil
    ) throws -> (entry: Entry, timing: DecisionTiming) {
        let recorded = ids.compactMap { c.state.requestBook.requests[$0]?.blockTime }.max() ?? c.now
        if let review { c.now = max(c.now, recorded + review) }
        let timing = DecisionTiming(signedAt: c.now + 1000, reviewMillis: review)
        var signed = assertion
        if signed == nil {
            let challenge = try #require(RequestBatchApproval.challenge(requestIds: ids, genesisDigest: c.state.genesisDigest, timing: timing))
            signed = c.assert(user, challenge)
        }
        return (try RequestBatchApproval(requestIds: ids, user: user, assertion: signed!, timing: timing).entry(), timing)
    }

    static func approvers(_ c: Cluster, _ id: String) -> [String]? { c.state.requestBook.requests[id]?.approvals?.approvals.map(\.user) }

    /// `RequestApprovalTests.cluster()` (or `base`, with the risk bot's `key`) where ETH is
    /// priced at `usd` by three sources (`price`) and kraken was paid 50 ETH before (held, then
    /// approved by erin, and grace if it still needs her), so that transfers of 50 ETH or less
    /// to it are routine: priced, no first transfer, not the largest so far, nothing unusual
    /// (`RequestFlags.alone` is empty). The clock moves an hour past each price bot's
    /// registration, so no two of those governance approvals are in anyone's hour.
    static func routine(_ base: (Cluster, BotSigningKey)? = nil, usd: String = "100") throws -> (Cluster, BotSigningKey) {
        var (c, key) = try base ?? RequestApprovalTests.cluster()
        let sources = PriceRoomTests.sources.map { ($0, BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())) }
        for (source, priceKey) in sources {
            try c.registerBot(source, key: priceKey.publicKey, roles: [PriceEntry.sourceRole])
            c.now += ApprovalPolicy.windowMillis
        }
        for (source, priceKey) in sources { try price(&c, usd: usd, by: source, key: priceKey) }
        let paid = try ApprovalFatigueTests.held(&c, key)
        for admin in ["erin", "grace"] where c.state.requestBook.requests[paid]?.approvals?.status == .pending {
            try ApprovalFatigueTests.approve(&c, paid, by: admin)
        }
        #expect(c.state.requestBook.requests[paid]?.isAllowed == true)
        return (c, key)
    }

    /// `source` (a price bot with `key`) quotes ETH at `usd`, dated the next block.
    static func price(_ c: inout Cluster, usd: String, by source: String, key: BotSigningKey) throws {
        let body = PricePost(asset: "ETH", usd: try #require(FixedDecimal(parsing: usd)), time: Int64((c.now + 1000) / 1000)).json
        #expect(c.apply(try PriceEntry.post(c.signed(body, keyId: source, key: key))) == .priced(asset: "ETH", source: source))
    }

    /// What an entry refused whole must leave as it was: every request's approvals, every
    /// credential's counter and the approvals room (its digest), all but the refusals.
    static func untouched(_ before: ReplicatedState, _ after: ReplicatedState, _ ids: [String]) -> Bool {
        ids.allSatisfy { before.requestBook.requests[$0] == after.requestBook.requests[$0] }
            && before.users == after.users
            && before.approvalBook.approvals(by: "frank", at: after.time) == after.approvalBook.approvals(by: "frank", at: after.time)
    }

    @Test func oneApprovalOfThreeIdenticalRequestsCountsForEachAndForNoOther() throws {
        var (c, key) = try Self.routine()
        let same = try (0..<3).map { _ in try RequestApprovalTests.held(&c, key) }
        // 40 ETH, not 60: a larger one would be the largest so far, approved only on its own.
        let other = try RequestApprovalTests.held(&c, key, amount: "40")
        let recorded = same.map { c.state.requestBook.requests[$0]! }
        #expect(Set(recorded.map(RequestPrompt.init)).count == 1, "the three are the same prompt to a person")
        #expect(RequestPrompt(c.state.requestBook.requests[other]!) != RequestPrompt(recorded[0]))

        // Review H2: a batch is the same request N times, never a way to slip a different one
        // (here one of 40 instead of 50) under one touch: refused whole, nothing applied.
        let before = c.state
        let (mixed, _) = try Self.batch(&c, [same[0], other, same[1]], by: "grace")
        let refused = c.apply(mixed)
        #expect(Cluster.reason(refused).contains("request \(other) is not identical to request \(same[0])"), "\(Cluster.reason(refused))")
        #expect(Self.untouched(before, c.state, same + [other]))
        // Review H1: two raw messages of one length are one policy view, but never one prompt:
        // the prompt holds the body's digest, only its own id left out.
        let raw = { (id: String, hex: String) in Array(#"{\#(id)"message":{"format":"raw","hex":"\#(hex)"},"vault":"hot"}"#.utf8) }
        #expect(RequestPrompt.bodyDigest(raw("", "00")) != RequestPrompt.bodyDigest(raw("", "01")))
        #expect(RequestPrompt.bodyDigest(raw(#""id":"a","#, "00")) == RequestPrompt.bodyDigest(raw(#""id":"b","#, "00")))
        #expect(RequestPrompt.bodyDigest(raw(#""id":"a","#, "00")) == RequestPrompt.bodyDigest(raw("", "00")))

        var replica = c.state
        let given = c.state.approvalBook.approvals(by: "grace", at: c.now).count
        let (first, _) = try Self.batch(&c, same, by: "grace")
        #expect(c.apply(first) == .requestBatchApprovals(requestIds: same, statuses: [.pending, .pending, .pending]))
        #expect(replica.apply(first, blockTime: c.now) == .requestBatchApprovals(requestIds: same, statuses: [.pending, .pending, .pending]))
        #expect(replica.digest == c.state.digest)
        for id in same {
            let approval = try #require(c.state.requestBook.requests[id]?.approvals?.approvals.first)
            // One review of a minute for three: each is credited a third of it (review M1).
            #expect(approval.user == "grace" && approval.reviewMillis == 20_000)
        }
        #expect(Self.approvers(c, other) == [])
        // Each request counted in grace's hour, as three single approvals would.
        #expect(c.state.approvalBook.approvals(by: "grace", at: c.now).count == given + 3)

        let (second, _) = try Self.batch(&c, same, by: "erin")
        #expect(c.apply(second) == .requestBatchApprovals(requestIds: same, statuses: [.approved, .approved, .approved]))
        #expect(same.allSatisfy { c.state.requestBook.requests[$0]?.isAllowed == true })
        #expect(c.state.requestBook.requests[other]?.approvals?.status == .pending)
    }

    /// Review H2 (rest), as the attacker: identical prompts are not enough. A gateway lists one
    /// request to a destination never paid and in no address-book entry among routine ones;
    /// another lists only such requests, identical among themselves. Every node refuses each
    /// batch whole, naming every request it keeps out and the flag that keeps it out, and
    /// applies nothing; each flagged request is still approved on its own.
    @Test func aBatchSmugglingAFlaggedRequestAmongRoutineOnesIsRefusedWholeNamingEveryFlaggedOne() throws {
        // Any destination up to 1000 ETH, over 10 with two admins.
        var c = try Cluster(policyYAML: Cluster.policy().replacing("rules:\n", with: """
            rules:
              - name: anywhere
                match: {amount: {up_to: 1000}}
                outcome: allow
              - name: large-needs-two-admins
                match: {amount: {over: 10}}
                outcome: {require: {group: admins, count: 2}}

            """))
        var key = BotSigningKey(ed25519: .init())
        try c.registerBot("risk-bot", key: key.publicKey)
        (c, key) = try Self.routine((c, key))
        let stranger = "0x" + String(repeating: "2", count: 40)
        let routine = try (0..<2).map { _ in try RequestApprovalTests.held(&c, key) }
        let flagged = try (0..<2).map { _ in
            try #require(Cluster.decided(try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "50", destination: stranger), keyId: "risk-bot", key: key)))).id
        }
        let routineReview = c.state.review(of: try #require(c.state.requestBook.requests[routine[0]]))
        #expect(routineReview.isBatchable, "\(routineReview.alone)")
        let flaggedReview = c.state.review(of: try #require(c.state.requestBook.requests[flagged[0]]))
        #expect(flaggedReview.flags.map(\.kind) == [.newDestination, .firstTransfer], "\(flaggedReview.flags)")
        #expect(flaggedReview.alone.count == 2 && !flaggedReview.isBatchable)

        let before = c.state
        let smuggled = c.apply(try Self.batch(&c, [routine[0], flagged[0], routine[1]], by: "grace").entry)
        #expect(Cluster.code(smuggled) == .invalidRequest)
        let reason = Cluster.reason(smuggled)
        #expect(reason.contains("1 of the 3 requests are approved only on their own"), "\(reason)")
        #expect(reason.contains("request \(flagged[0]): NEW DESTINATION: \(stranger) is in no address-book entry; FIRST TRANSFER"), "\(reason)")
        #expect(!routine.contains { reason.contains("request \($0):") }, "routine requests are not named as flagged")
        #expect(Self.untouched(before, c.state, routine + flagged))

        // Identical among themselves, flagged all the same: refused, every one named (review L6).
        let alike = c.apply(try Self.batch(&c, flagged, by: "grace").entry)
        #expect(Cluster.code(alike) == .invalidRequest)
        #expect(flagged.allSatisfy { Cluster.reason(alike).contains("request \($0): NEW DESTINATION") }, "\(Cluster.reason(alike))")
        #expect(c.state.refusals.last?.operationId == flagged[0] && c.state.refusals.last?.user == "grace")
        #expect(Self.untouched(before, c.state, routine + flagged))

        // Read on its own, each is approved as any request is.
        #expect(try RequestApprovalTests.decide(&c, .approve, flagged[0], by: "grace") == .requestApprovals(requestId: flagged[0], status: .pending))
        #expect(c.apply(try Self.batch(&c, routine, by: "grace").entry) == .requestBatchApprovals(requestIds: routine, statuses: [.pending, .pending]))
    }

    /// Review M1, as the attacker: a request whose USD notional is unknown is never batched,
    /// whatever the policy says — with `approvals.hasty` or without it. A gateway holds a routine
    /// list back until the prices it was priced by are stale (older than the policy's
    /// `prices.max_age`), then presents the person's batch: every node refuses it whole, naming
    /// each request "NOT PRICED", and applies nothing; each is still approved on its own.
    @Test(arguments: ["", "{hasty: {within: 10s, over_usd: 100000}}"])
    func anUnpricedRequestIsNeverBatchedWhateverThePolicySays(hasty: String) throws {
        let base = try hasty.isEmpty ? RequestApprovalTests.cluster() : ApprovalFatigueTests.cluster(hasty)
        var (c, key) = try Self.routine(base)
        let ids = try (0..<2).map { _ in try ApprovalFatigueTests.held(&c, key) }
        #expect(ids.allSatisfy { c.state.flags(of: c.state.requestBook.requests[$0]!).isBatchable }, "priced while the quotes are fresh")
        // A block 16 minutes on (another request of the bot's): the quotes are stale there.
        c.now += 16 * 60_000
        _ = try ApprovalFatigueTests.held(&c, key)
        let flags = c.state.flags(of: try #require(c.state.requestBook.requests[ids[0]]))
        #expect(flags.flags.map(\.kind) == [.notPriced] && flags.notionalUSD == nil, "\(flags.flags)")
        #expect(flags.alone == [
            "NOT PRICED: no USD notional is known for 50 ETH; no USD limit, largest-so-far check or batch bound reads it, so it is approved only on its own",
        ], "\(flags.alone)")
        let before = c.state
        var replica = c.state
        let (entry, _) = try Self.batch(&c, ids, by: "frank")
        let refused = c.apply(entry)
        #expect(Cluster.code(refused) == .invalidRequest)
        #expect(Cluster.reason(refused).contains("2 of the 2 requests are approved only on their own"), "\(Cluster.reason(refused))")
        #expect(ids.allSatisfy { Cluster.reason(refused).contains("request \($0): NOT PRICED: no USD notional is known for 50 ETH") }, "\(Cluster.reason(refused))")
        #expect(Self.untouched(before, c.state, ids))
        #expect(replica.apply(entry, blockTime: c.now) == refused)
        #expect(replica.digest == c.state.digest, "every node refuses it alike")
        // Read on its own, it is approved as any request is.
        #expect(try ApprovalFatigueTests.approve(&c, ids[0], by: "frank") == .requestApprovals(requestId: ids[0], status: .pending))
    }

    /// Without `approvals.hasty` a batch still has a size bound (review M-a: without one, one
    /// touch approved 3 × 5,000,000 USD): `ApprovalPolicy.defaultBatchBoundUSD`. Priced high, a
    /// routine request is large on its own and never batched; pieces under it are judged on
    /// their sum.
    @Test func withoutAHastySectionTheDefaultBatchBoundHolds() throws {
        // One value: the amount with where it comes from (lead's mend).
        let byDefault = BatchBound(usd: ApprovalPolicy.defaultBatchBoundUSD, source: "the default, which approvals.hasty.over_usd may only lower")
        #expect(ApprovalPolicy().batchBound == byDefault)
        #expect(ApprovalPolicy(hastyWithinSeconds: 10, hastyOverUSD: FixedDecimal(50_000)!).batchBound
            == BatchBound(usd: FixedDecimal(50_000)!, source: "approvals.hasty.over_usd"))
        #expect(ApprovalPolicy(hastyWithinSeconds: 10, hastyOverUSD: ApprovalPolicy.defaultBatchBoundUSD).batchBound.source == "approvals.hasty.over_usd")
        // Review M3: a hasty section a diff reads as stronger never raises the bound.
        #expect(ApprovalPolicy(hastyWithinSeconds: 1, hastyOverUSD: FixedDecimal(1_000_000_000)!).batchBound == byDefault)
        var (c, key) = try Self.routine(usd: "100000")
        let ids = try (0..<3).map { _ in try RequestApprovalTests.held(&c, key) }
        let flags = c.state.flags(of: try #require(c.state.requestBook.requests[ids[0]]))
        #expect(flags.notionalUSD == FixedDecimal(5_000_000) && !flags.isBatchable)
        #expect(flags.alone.contains("LARGE: its notional of 5,000,000 USD is at least the batch bound (100,000 USD, the default, which approvals.hasty.over_usd may only lower)"),
                "\(flags.alone)")
        var before = c.state
        var refused = c.apply(try Self.batch(&c, ids, by: "frank").entry)
        #expect(Cluster.code(refused) == .invalidRequest)
        #expect(ids.allSatisfy { Cluster.reason(refused).contains("request \($0): LARGE") }, "\(Cluster.reason(refused))")
        #expect(Self.untouched(before, c.state, ids))

        // ETH at 1000 USD: three pieces of 40 ETH move 120,000 USD together, two move 80,000.
        (c, key) = try Self.routine(usd: "1000")
        let pieces = try (0..<3).map { _ in try ApprovalFatigueTests.held(&c, key, amount: "40") }
        before = c.state
        refused = c.apply(try Self.batch(&c, pieces, by: "frank").entry)
        #expect(Cluster.reason(refused).contains(
            "the 3 requests move 120,000 USD together, at least the batch bound (100,000 USD, the default, which approvals.hasty.over_usd may only lower)"), "\(Cluster.reason(refused))")
        #expect(Self.untouched(before, c.state, pieces))
        #expect(c.apply(try Self.batch(&c, Array(pieces.prefix(2)), by: "frank").entry)
            == .requestBatchApprovals(requestIds: Array(pieces.prefix(2)), statuses: [.pending, .pending]))
    }

    /// Review H1: a contract call (an approval, an upgrade, an ownership transfer, a Safe's
    /// transaction) is read on its own, however routine its target: identical calls never batch,
    /// whatever page the gateway served.
    @Test func identicalContractCallsAreApprovedOnlyOneByOne() throws {
        let requests = TransactionRequestTests()
        var c = try requests.cluster()
        let held = Cluster.transactionPolicy(version: 3)
            .replacing("functions: [approve]}}\n    outcome: allow\n",
                       with: "functions: [approve]}}\n    outcome: allow\n  - name: calls-need-an-admin\n    match: {kind: [contract_call]}\n    outcome: {require: {group: admins, count: 1}}\n")
        #expect(held != Cluster.transactionPolicy(version: 3))
        try c.govern(.changePolicy(yaml: held))
        let approve = try EVM.ABI.encodeCall("approve(address,uint256)", [.address(try EVM.Address(hex: Cluster.kraken)), .uint(1_000_000)])
        let calls = try (0..<2).map { _ in
            try #require(Cluster.decided(try c.submit(c.signed(Cluster.evmCall(data: "0x" + approve.hexString), keyId: "risk-bot", key: requests.bot))))
        }
        #expect(calls.allSatisfy { $0.outcome == .needsApprovals }, "\(c.state.review(of: c.state.requestBook.requests[calls[0].id]!).explanation.lines)")
        let ids = calls.map(\.id)
        let review = c.state.review(of: try #require(c.state.requestBook.requests[ids[0]]))
        #expect(review.alone.first?.hasPrefix("NOT A PLAIN TRANSFER: a contract call is approved only on its own") == true, "\(review.alone)")
        let before = c.state
        let refused = c.apply(try Self.batch(&c, ids, by: "grace").entry)
        #expect(Cluster.code(refused) == .invalidRequest)
        #expect(ids.allSatisfy { Cluster.reason(refused).contains("request \($0): NOT A PLAIN TRANSFER") }, "\(Cluster.reason(refused))")
        #expect(Self.untouched(before, c.state, ids))
        // Each on its own page, it is approved as any request is.
        #expect(try RequestApprovalTests.decide(&c, .approve, ids[0], by: "grace") == .requestApprovals(requestId: ids[0], status: .approved))
    }

    /// Review M2: a large amount split into identical pieces each under
    /// `approvals.hasty.over_usd` is judged on their sum, as one request of that size would be.
    @Test func aLargeAmountSplitIntoRoutinePiecesIsNotApprovedInOneBatch() throws {
        // ETH at 1000 USD; 50 ETH (50,000 USD) paid once before: pieces of 40 are not the largest so far.
        var (c, key) = try Self.routine(try ApprovalFatigueTests.cluster("{hasty: {within: 10s, over_usd: 100000}}"), usd: "1000")
        // Three of 40 ETH (40,000 USD each, 120,000 together) and two (80,000 together).
        let pieces = try (0..<3).map { _ in try ApprovalFatigueTests.held(&c, key, amount: "40") }
        let review = c.state.review(of: try #require(c.state.requestBook.requests[pieces[0]]))
        #expect(review.notionalUSD == FixedDecimal(40_000) && review.isBatchable, "\(review.alone)")
        let before = c.state
        let refused = c.apply(try Self.batch(&c, pieces, by: "frank").entry)
        #expect(Cluster.code(refused) == .invalidRequest)
        #expect(Cluster.reason(refused).contains("the 3 requests move 120,000 USD together, at least the batch bound (100,000 USD, approvals.hasty.over_usd)"),
                "\(Cluster.reason(refused))")
        #expect(Self.untouched(before, c.state, pieces))
        #expect(c.apply(try Self.batch(&c, Array(pieces.prefix(2)), by: "frank").entry)
            == .requestBatchApprovals(requestIds: Array(pieces.prefix(2)), statuses: [.pending, .pending]))
    }

    /// Review L1: an entry the person did not sign is refused for that alone; the reasons a
    /// listed request could not be batched are not recorded against their name.
    @Test func aForgedBatchIsRefusedForItsAssertionBeforeAnyRequestIsReviewed() throws {
        var (c, key) = try Self.routine()
        let stranger = "0x" + String(repeating: "2", count: 40)
        let flagged = try #require(Cluster.decided(try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "50", destination: stranger), keyId: "risk-bot", key: key)))).id
        let routine = try RequestApprovalTests.held(&c, key)
        // An assertion of grace's over another list, presented for this one.
        let other = try Self.batch(&c, [routine], by: "grace")
        let forged = try RequestBatchApproval(requestIds: [routine, flagged], user: "grace", assertion: try RequestBatchApproval(other.entry).assertion,
                                              timing: other.timing).entry()
        let before = c.state
        let outcome = c.apply(forged)
        #expect(Cluster.code(outcome) == .assertionRefused, "\(outcome)")
        #expect(!Cluster.reason(outcome).contains("NEW DESTINATION") && !Cluster.reason(outcome).contains(flagged), "\(Cluster.reason(outcome))")
        #expect(Self.untouched(before, c.state, [routine, flagged]))
    }

    @Test func aListWithOneRequestThePersonMayNotApproveIsRefusedWholeAndAppliesNothing() throws {
        var (c, key) = try Self.routine()
        let routine = try (0..<2).map { _ in try RequestApprovalTests.held(&c, key) }
        // frank's own request: the initiator never counts, so he slips it between two he may approve.
        let own = RequestEntry.personEnvelope(
            body: Cluster.transfer(by: "frank", amount: "50"), cluster: c.state.genesisDigest, user: "frank", timestamp: Int64(c.now), nonce: c.nonce())
        let mine = try #require(Cluster.decided(c.apply(try RequestEntry.submit(own, assertion: c.assert("frank", RequestEntry.personChallenge(own)))))).id
        let ids = [routine[0], mine, routine[1]]
        let before = c.state
        let outcome = c.apply(try Self.batch(&c, ids, by: "frank").entry)
        #expect(Cluster.code(outcome) == .initiatorCannotApprove)
        let refusal = try #require(c.state.refusals.last)
        #expect(refusal.error.reason.contains(mine) && refusal.user == "frank" && refusal.operationId == routine[0], "\(refusal.error.reason)")
        #expect(Self.untouched(before, c.state, ids))

        // heidi (security only) is in no group the requests need: not eligible for any.
        let heidi = c.apply(try Self.batch(&c, routine, by: "heidi").entry)
        #expect(Cluster.code(heidi) == .notEligible)
        #expect(routine.allSatisfy { Self.approvers(c, $0) == [] })
    }

    @Test func anAlreadyDecidedRequestADuplicateOrAnOverlongListIsRefused() throws {
        var (c, key) = try Self.routine()
        let ids = try (0..<3).map { _ in try RequestApprovalTests.held(&c, key) }
        try RequestApprovalTests.decide(&c, .reject, ids[2], by: "erin")
        #expect(c.state.requestBook.requests[ids[2]]?.approvals?.status == .rejected)
        var before = c.state
        #expect(Cluster.code(c.apply(try Self.batch(&c, ids, by: "frank").entry)) == .notPending)
        #expect(Self.untouched(before, c.state, ids))

        // The same request twice would count one person twice: the entry does not even decode.
        let twice = [ids[0], ids[1], ids[0]]
        #expect(RequestBatchApproval.challenge(requestIds: twice, genesisDigest: c.state.genesisDigest, timing: .init(signedAt: c.now, reviewMillis: nil)) == nil)
        let honest = try Self.batch(&c, [ids[0], ids[1]], by: "frank")
        let duplicated = try RequestBatchApproval(
            requestIds: twice, user: "frank", assertion: RequestBatchApproval(honest.entry).assertion, timing: honest.timing).entry()
        #expect(throws: GovernanceError.self) { try ReplicatedState.signer(of: duplicated) }
        before = c.state
        let refused = c.apply(duplicated)
        #expect(Cluster.code(refused) == .malformed)
        #expect(c.state.refusals.last?.error.reason.contains("twice") == true)
        #expect(Self.untouched(before, c.state, ids))

        // Twenty-one requests are more than one person reads in one go.
        let many = (0..<21).map { Hashes.sha256(Array("request \($0)".utf8)).hexString }
        let overlong = try RequestBatchApproval(
            requestIds: many, user: "frank", assertion: RequestBatchApproval(honest.entry).assertion, timing: honest.timing).entry()
        #expect(Cluster.code(c.apply(overlong)) == .malformed)
        #expect(c.state.refusals.last?.error.reason.contains("at most 20") == true, "\(c.state.refusals.last!.error.reason)")
        #expect(RequestBatchApproval.problem(with: []) != nil)
    }

    @Test func aBatchAssertionIsNoSingleApprovalASingleOneNoBatchAndNeitherCountsTwice() throws {
        var (c, key) = try Self.routine()
        let ids = try (0..<2).map { _ in try RequestApprovalTests.held(&c, key) }
        let batch = try Self.batch(&c, [ids[0]], by: "frank")
        let batchAssertion = try RequestBatchApproval(batch.entry).assertion
        // The batch's assertion under a single approval of the same request, with the same timing.
        let asSingle = try RequestDecisionEntry(.approve, requestId: ids[0], user: "frank", assertion: batchAssertion, timing: batch.timing).entry()
        #expect(Cluster.webAuthnCode(c.apply(asSingle)) == .wrongChallenge)
        // A single approval's assertion under a batch of that one request.
        let timing = DecisionTiming(signedAt: c.now + 1000, reviewMillis: 1_000)
        let single = c.assert("frank", try #require(RequestDecisionEntry.challenge(.approve, requestId: ids[0], genesisDigest: c.state.genesisDigest, timing: timing)))
        let singleAsBatch = try RequestBatchApproval(requestIds: [ids[0]], user: "frank", assertion: single, timing: timing).entry()
        #expect(Cluster.webAuthnCode(c.apply(singleAsBatch)) == .wrongChallenge)
        // An assertion over one list does not approve another (order included).
        let swapped = try RequestBatchApproval(
            requestIds: [ids[1], ids[0]], user: "frank",
            assertion: c.assert("frank", try #require(RequestBatchApproval.challenge(requestIds: ids, genesisDigest: c.state.genesisDigest, timing: timing))),
            timing: timing).entry()
        #expect(Cluster.webAuthnCode(c.apply(swapped)) == .wrongChallenge)
        #expect(ids.allSatisfy { Self.approvers(c, $0) == [] })

        // The honest batch counts once; replayed, it is refused and changes nothing.
        #expect(c.apply(batch.entry) == .requestBatchApprovals(requestIds: [ids[0]], statuses: [.pending]))
        let before = c.state
        let replayed = c.apply(batch.entry)
        #expect(Cluster.code(replayed) == .assertionRefused, "its assertion's counter is spent, checked first (review L1)")
        #expect(Self.untouched(before, c.state, ids))
        #expect(Self.approvers(c, ids[0]) == ["frank"])
    }

    /// Review 4: a batch whose last request fails after the others were approved — counted in
    /// the windows and in the person's hour, each with its approval recorded — applies nothing:
    /// every node rolls the whole entry back, and its state is the state before but for the
    /// refusal it records.
    @Test func aBatchWhoseLastRequestFailsAfterTheOthersWereApprovedAppliesNothing() throws {
        let yaml = Cluster.policy().replacing("rules:\n", with: """
            approvals: {per_person_per_hour: 2, beyond: pause}
            rules:
              - name: to-exchanges
                match: {destination: {tags: [exchange]}, amount: {up_to: 1000}}
                outcome: allow
              - name: over-ten-needs-an-admin
                match: {amount: {over: 10}}
                outcome: {require: {group: admins, count: 1}}

            """)
        var c = try Cluster(policyYAML: yaml)
        let key = BotSigningKey(ed25519: .init())
        try c.registerBot("risk-bot", key: key.publicKey)
        c.now = ApprovalFatigueTests.evening
        (c, _) = try Self.routine((c, key))
        let ids = try (0..<3).map { _ in try ApprovalFatigueTests.held(&c, key) }
        let before = c.state
        var replica = c.state
        let (entry, _) = try Self.batch(&c, ids, by: "frank")
        let outcome = c.apply(entry)
        // The first two would be approved (one admin each), the third is over frank's bound of two.
        #expect(Cluster.code(outcome) == .approvalLimit)
        #expect(Cluster.reason(outcome).contains("request \(ids[2]) of the batch"), "\(Cluster.reason(outcome))")
        #expect(Self.untouched(before, c.state, ids))
        #expect(ids.allSatisfy { !c.state.windows.counts($0) && c.state.transactions[$0] == nil && c.state.requestBook.requests[$0]?.approvals?.status == .pending })
        #expect(c.state.windows.heldCount == before.windows.heldCount)
        #expect(c.state.approvalBook.approvals(by: "frank", at: c.now).isEmpty)
        #expect(c.state.refusals.count == before.refusals.count + 1)
        #expect(replica.apply(entry, blockTime: c.now) == outcome)
        #expect(replica.digest == c.state.digest, "every node records the same refusal and nothing else")

        // Two of them go through as one batch: both approved and counted.
        #expect(c.apply(try Self.batch(&c, Array(ids.prefix(2)), by: "frank").entry)
            == .requestBatchApprovals(requestIds: Array(ids.prefix(2)), statuses: [.approved, .approved]))
        #expect(ids.prefix(2).allSatisfy { c.state.windows.counts($0) })
    }

    @Test func theHourlyBoundCountsEachRequestOfABatchAndExpiryHoldsForEach() throws {
        var (c, key) = try Self.routine(try ApprovalFatigueTests.cluster("{per_person_per_hour: 2, beyond: pause}"))
        let ids = try (0..<3).map { _ in try ApprovalFatigueTests.held(&c, key) }
        // Three in one batch are three approvals: over frank's bound of two, none is applied.
        let before = c.state
        let outcome = c.apply(try Self.batch(&c, ids, by: "frank").entry)
        #expect(Cluster.code(outcome) == .approvalLimit)
        #expect(c.state.refusals.last?.error.reason.contains(ids[2]) == true)
        #expect(Self.untouched(before, c.state, ids))
        #expect(c.apply(try Self.batch(&c, Array(ids.prefix(2)), by: "frank").entry)
            == .requestBatchApprovals(requestIds: Array(ids.prefix(2)), statuses: [.pending, .pending]))

        // After the requests' two hours, the batch meets expired requests.
        c.now += 2 * 3_600_000
        #expect(Cluster.code(c.apply(try Self.batch(&c, [ids[2]], by: "grace").entry)) == .expired)
    }
}
