import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
@testable import CustosState
import Testing

/// The replay of a proposed policy over the committed requests (`ReplicatedState.replay`): every
/// decision that changes is listed, in log order, and none that does not; windows are kept under
/// the new policy as the replay goes.
@Suite struct PolicyReplayTests {
    /// The document compiled as a `change-policy` operation would be in `c`.
    static func compiled(_ yaml: String, in c: Cluster) throws -> CompiledPolicy {
        try ReplicatedState.compile(yaml: yaml, users: c.state.users, bots: c.state.bots).1
    }

    /// A cluster whose bot rule allows up to 10 ETH to exchanges without any limit, and a bot.
    static func cluster() throws -> (Cluster, BotSigningKey) {
        var c = try Cluster()
        let key = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("risk-bot", key: key.publicKey)
        return (c, key)
    }

    static func submit(_ c: inout Cluster, _ key: BotSigningKey, amount: String) throws -> String {
        let decided = try #require(Cluster.decided(try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: amount), keyId: "risk-bot", key: key))))
        #expect(decided.outcome == .allow)
        return decided.id
    }

    @Test func aTightenedLimitChangesExactlyTheRequestsOverIt() throws {
        var (c, key) = try Self.cluster()
        let start = c.now
        var ids: [String: String] = [:]
        for amount in ["5", "8", "3", "9.5"] { ids[amount] = try Self.submit(&c, key, amount: amount) }
        let tightened = try Self.compiled(Cluster.policy(version: 2).replacing("amount: {up_to: 10}", with: "amount: {up_to: 6}"), in: c)
        let replay = c.state.replay(tightened, since: start)
        #expect(replay.replayed == 4)
        #expect(replay.changes.map(\.requestId) == [ids["8"]!, ids["9.5"]!])
        #expect(replay.changedCount == 2)
        let first = try #require(replay.changes.first)
        #expect(first.old.text == "allow" && first.new.text == "deny")
        #expect(first.summary == "8 ETH to kraken")
        #expect(first.reason == "no allow rule matches it")
        #expect(first.line.hasPrefix("\(ids["8"]!.prefix(12)), 8 ETH to kraken: allow → deny: "))
        // A period that starts after the first two replays only the last two.
        let later = c.state.replay(tightened, since: try #require(c.state.requestBook.requests[ids["3"]!]).blockTime)
        #expect(later.replayed == 2 && later.changes.map(\.requestId) == [ids["9.5"]!])
        // No decision recorded a price (ETH has none here): the replay says what it used instead.
        #expect(replay.limitations.first == "4 requests had no price recorded with their decision that the new policy takes: the replay used the median at the head, not the price at the time")
        #expect(replay.changes.allSatisfy { !$0.recordedPrice })
    }

    /// Under a new hourly limit of one request, the second of two requests flips and the first
    /// does not; a request the new policy denies does not count toward later ones, so one an
    /// hour after the first is allowed again.
    @Test func aWindowLimitFlipsTheSecondRequestNotTheFirst() throws {
        var (c, key) = try Self.cluster()
        let start = c.now
        let first = try Self.submit(&c, key, amount: "5")
        c.now += 1_800_000
        let second = try Self.submit(&c, key, amount: "5")
        c.now = start + 3_600_000 + 60_000
        let third = try Self.submit(&c, key, amount: "5")
        let limited = try Self.compiled(WindowRoomTests.policy(version: 2, hourly: 1), in: c)
        let replay = c.state.replay(limited, since: start)
        #expect(replay.replayed == 3)
        #expect(replay.changes.map(\.requestId) == [second], "not \(first), and not \(third): the denied second never counted")
        let change = try #require(replay.changes.first)
        #expect(change.reason == "no allow rule matches it; limit bot-hourly: 1h for initiator risk-bot: 2 of 1 request (exceeded)")
        // The windows kept before the period count: replaying from the second on, the first
        // (decided before the period, allowed) still holds the window for the second.
        let fromSecond = c.state.replay(limited, since: try #require(c.state.requestBook.requests[second]).blockTime)
        #expect(fromSecond.replayed == 2 && fromSecond.changes.map(\.requestId) == [second])
        #expect(c.state.windows.book(.development).totals.totals(of: "bot-hourly").isEmpty, "the replay changed nothing in the state")
    }

    @Test func anUnchangedPolicyChangesNoDecision() throws {
        var (c, key) = try Self.cluster()
        let start = c.now
        for amount in ["5", "8", "3"] { _ = try Self.submit(&c, key, amount: amount) }
        // A denied one too: over the bot rule's amount.
        _ = try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "50"), keyId: "risk-bot", key: key))
        let replay = c.state.replay(try Self.compiled(Cluster.policy(version: 2), in: c), since: start)
        #expect(replay.replayed == 4)
        #expect(replay.changes.isEmpty && replay.changedCount == 0)
        #expect(replay.headline == "0 of 4 decisions would change under policy version 2, 0 of them looser")
        // The document as the operation would carry it; one every node would refuse is refused.
        #expect(try c.state.replay(yaml: Cluster.policy(version: 2), since: start) == replay)
        do {
            _ = try c.state.replay(yaml: "policy: [", since: start)
            Issue.record("a policy that does not parse was replayed")
        } catch {
            #expect(error.code == .invalidPolicy)
        }
    }

    /// A new rule asking two admins for large transfers: what was allowed now needs approvals it
    /// was never given; what was held and approved by two admins still is, and the approvals
    /// given fill a rule asking one.
    @Test func approvalsAskedAndApprovalsGiven() throws {
        var (c, key) = try RequestApprovalTests.cluster()
        let start = c.now
        let small = try Self.submit(&c, key, amount: "5")
        let held = try RequestApprovalTests.held(&c, key, amount: "50")
        try RequestApprovalTests.decide(&c, .approve, held, by: "grace")
        try RequestApprovalTests.decide(&c, .approve, held, by: "erin")
        #expect(c.state.requestBook.requests[held]?.approvals?.status == .approved)
        let stricter = Cluster.policy(version: 3).replacing("rules:\n", with: """
            rules:
              - name: to-exchanges
                match: {destination: {tags: [exchange]}, amount: {up_to: 1000}}
                outcome: allow
              - name: any-needs-two-admins
                match: {amount: {over: 1}}
                outcome: {require: {group: admins, count: 2}}

            """)
        let replay = c.state.replay(try Self.compiled(stricter, in: c), since: start)
        #expect(replay.changes.map(\.requestId) == [small])
        let change = try #require(replay.changes.first)
        #expect(change.old.text == "allow" && change.new.text == "needs 2 approvals (admins)")
        #expect(change.approvalsGivenFill == false)
        #expect(change.reason == "rule any-needs-two-admins requires 2 approvals from admins")
        #expect(change.line.contains("5 ETH to kraken: allow → needs 2 approvals (admins) (the approvals given do not fill it)"))
        // One admin where two were asked: the held request changes, and the two given fill it.
        let lighter = stricter.replacing("any-needs-two-admins", with: "any-needs-one-admin")
            .replacing("{group: admins, count: 2}", with: "{group: admins, count: 1}")
        let relaxed = c.state.replay(try Self.compiled(lighter, in: c), since: start)
        // The looser change (fewer approvals) is listed first, and counted apart.
        #expect(relaxed.changes.map(\.requestId) == [held, small])
        #expect(relaxed.changedCount == 2 && relaxed.looserCount == 1)
        #expect(relaxed.headline == "2 of 2 decisions would change under policy version 3, 1 of them looser")
        let looser = try #require(relaxed.changes.first)
        #expect(looser.loosens && !relaxed.changes[1].loosens)
        #expect(looser.old.described == "needs 2 approvals (admins), approved")
        #expect(looser.new.text == "needs 1 approval (admins)")
        #expect(looser.approvalsGivenFill == true)
    }

    @Test func thePeriodIsBoundedToTheWindowsHold() throws {
        var (c, key) = try Self.cluster()
        _ = try Self.submit(&c, key, amount: "5")
        c.now += PolicyReplay.maximumPeriodMilliseconds + 1000
        _ = try Self.submit(&c, key, amount: "8")
        let replay = c.state.replay(try Self.compiled(Cluster.policy(version: 2).replacing("amount: {up_to: 10}", with: "amount: {up_to: 1}"), in: c), since: 0)
        #expect(replay.since == c.now - PolicyReplay.maximumPeriodMilliseconds)
        #expect(replay.replayed == 1 && replay.changedCount == 1)
    }

    /// The wording of a decision is not what is compared: a proposal that keeps the group name
    /// `admins` but gives it other people changes what happens to a request approved by the
    /// old admins (its approvers are no longer in the group: it would never be signed), and
    /// changes what a request still waiting asks for, though both read "needs 2 approvals
    /// (admins)" on both sides.
    @Test func theSameGroupNameWithOtherPeopleIsAChange() throws {
        var (c, key) = try RequestApprovalTests.cluster()
        let start = c.now
        let small = try Self.submit(&c, key, amount: "5")
        let approved = try RequestApprovalTests.held(&c, key, amount: "50")
        try RequestApprovalTests.decide(&c, .approve, approved, by: "grace")
        try RequestApprovalTests.decide(&c, .approve, approved, by: "erin")
        let waiting = try RequestApprovalTests.held(&c, key, amount: "60")
        #expect(c.state.requestBook.requests[approved]?.approvals?.status == .approved)
        let inForce = c.state.policyYAML
        // admins are erin, frank and grace (the admin role); the proposal names frank, grace and
        // heidi (three, so that no one alone could block governance).
        let renamed = inForce.replacing("version: 2", with: "version: 3")
            .replacing("admins: {roles: [admin]}", with: "admins: {users: [frank, grace, heidi]}")
        let replay = c.state.replay(try Self.compiled(renamed, in: c), since: start)
        #expect(replay.replayed == 3)
        #expect(replay.changes.map(\.requestId) == [approved, waiting], "not \(small): allowed either way")
        let first = try #require(replay.changes.first)
        #expect(first.old.text == first.new.text, "the wording alone does not change")
        #expect(first.old.fate == .approved && first.new.fate == .notSigned)
        #expect(first.approvalsGivenFill == false)
        #expect(!first.loosens)
        #expect(first.regrouped == ["admins: erin, frank, grace → frank, grace, heidi"])
        #expect(first.line.contains("needs 2 approvals (admins), approved → needs 2 approvals (admins) (the approvals given do not fill it)"))
        #expect(first.line.hasSuffix("; other people under the same name: admins: erin, frank, grace → frank, grace, heidi"))
        let second = replay.changes[1]
        #expect(second.old.fate == .notSigned && second.new.fate == .notSigned && second.regrouped == first.regrouped)
        // Another approver dropped from the group (grace): the two given no longer fill two.
        let narrower = inForce.replacing("version: 2", with: "version: 3").replacing("admins: {roles: [admin]}", with: "admins: {users: [erin, frank, heidi]}")
        let dropped = c.state.replay(try Self.compiled(narrower, in: c), since: start)
        #expect(dropped.changes.first?.requestId == approved)
        #expect(dropped.changes.first?.approvalsGivenFill == false)
        #expect(dropped.changes.first?.new.fate == .notSigned)
        // The same people under another name: nothing changes.
        let sameAdmins = inForce.replacing("version: 2", with: "version: 3").replacing("admins: {roles: [admin]}", with: "admins: {users: [erin, frank, grace]}")
        #expect(c.state.replay(try Self.compiled(sameAdmins, in: c), since: start).changedCount == 0)
    }

    /// The replay's windows start from what the state's windows room counted before the period,
    /// not from the requests the requests room still keeps: a request counted before the period
    /// that the requests room no longer keeps still holds the window for the next one.
    @Test func windowsStartFromTheWindowsRoomNotTheKeptRequests() throws {
        var (c, key) = try Self.cluster()
        let start = c.now
        let first = try Self.submit(&c, key, amount: "5")
        c.now += 1_800_000
        let second = try Self.submit(&c, key, amount: "5")
        let limited = try Self.compiled(WindowRoomTests.policy(version: 2, hourly: 1), in: c)
        let since = try #require(c.state.requestBook.requests[second]).blockTime
        // The requests room forgets the first (as it does past its last 10,000 requests).
        var forgetting = c.state
        forgetting.requestBook.order.removeAll { $0 == first }
        let replay = forgetting.replay(limited, since: since)
        #expect(replay.replayed == 1 && replay.changes.map(\.requestId) == [second])
        #expect(replay.changes.first?.reason == "no allow rule matches it; limit bot-hourly: 1h for initiator risk-bot: 2 of 1 request (exceeded)")
        // A window longer than what the state holds (31 days): the replay says what it misses.
        #expect(!replay.limitations.contains { $0.hasPrefix("the new policy's longest window") })
        let long = try Self.compiled(WindowRoomTests.policy(version: 2, hourly: 1).replacing("window: 1h", with: "window: 60d"), in: c)
        #expect(c.state.replay(long, since: start).limitations.contains(
            "the new policy's longest window reaches further back than the 31 days the state holds: its windows miss requests counted before that"))
    }

    /// A proposal that reads like the policy in force lists nothing, even for requests an older
    /// version decided otherwise: the replay compares the new policy with the one in force
    /// replayed the same way, not with what was decided at the time (review helper-92 H1), and
    /// says how many requests the policy in force itself would decide differently now.
    @Test func aProposalLikeThePolicyInForceListsNothingThoughAnOlderVersionDecidedOtherwise() throws {
        var (c, key) = try Self.cluster()
        let start = c.now
        let eight = try Self.submit(&c, key, amount: "8")
        let tighter = { (v: Int) in Cluster.policy(version: v).replacing("amount: {up_to: 10}", with: "amount: {up_to: 6}") }
        try c.govern(.changePolicy(yaml: tighter(2)))
        #expect(c.state.policyVersion == 2)
        let same = c.state.replay(try Self.compiled(tighter(3), in: c), since: start)
        #expect(same.replayed == 1)
        #expect(same.changes.isEmpty && same.changedCount == 0, "\(same.changes.map(\.line))")
        #expect(same.limitations.contains { $0.hasPrefix("1 request is decided differently by the policy in force itself when replayed") }, "\(same.limitations)")
        // The version that allowed it, proposed again, is a change: looser, from what the policy
        // in force decides.
        let back = c.state.replay(try Self.compiled(Cluster.policy(version: 3), in: c), since: start)
        #expect(back.changes.map(\.requestId) == [eight] && back.looserCount == 1)
        #expect(back.changes.first?.old.text == "deny" && back.changes.first?.new.text == "allow")
    }

    /// The replay compares the alternative closest to being met (`PolicyDecision.pending`), so
    /// that it keeps one list of people per request (review helper-99 M1): an `any:` branch
    /// that is not the closest is not listed, though its groups may approve (the README says
    /// so); a branch that becomes the closest (one security officer instead of two admins) is a
    /// looser change.
    @Test func onlyTheAlternativeTheNodesAskIsCompared() throws {
        var (c, key) = try RequestApprovalTests.cluster()
        let start = c.now
        let waiting = try RequestApprovalTests.held(&c, key, amount: "60")
        let inForce = c.state.policyYAML.replacing("version: 2", with: "version: 3")
        let rule = "outcome: {require: {group: admins, count: 2}}\n    expires: 1h"
        let unusable = inForce.replacing(rule, with: "outcome: {require: {any: [{group: admins, count: 2}, {group: security, count: 2}]}}\n    expires: 1h")
        #expect(unusable != inForce)
        #expect(c.state.replay(try Self.compiled(unusable, in: c), since: start).changes.isEmpty)
        let closer = inForce.replacing(rule, with: "outcome: {require: {any: [{group: admins, count: 2}, {group: security, count: 1}]}}\n    expires: 1h")
        let replay = c.state.replay(try Self.compiled(closer, in: c), since: start)
        #expect(replay.changes.map(\.requestId) == [waiting])
        let change = try #require(replay.changes.first)
        #expect(change.old.text == "needs 2 approvals (admins)" && change.new.text == "needs 1 approval (security)")
        #expect(change.loosens && replay.looserCount == 1)
    }

    /// A daily USD limit proposed per initiator: with ETH at $2,000 recorded with each decision,
    /// three 5 ETH requests are $10,000 each, and only the third crosses $25,000 — though the
    /// price at the head has fallen to $1,000 since (at which none would). Replayed from the
    /// second on, the first counts from the windows' seed, and the third still crosses.
    @Test func aUSDWindowFlipsOnlyTheRequestCrossingItAtThePriceOfItsTime() throws {
        var s = try PriceRoomTests.setup()
        let limited = PriceRoomTests.policy().replacing("version: 1", with: "version: 2")
            .replacing("rules:\n", with: "limits:\n  bot-daily-usd: {per: initiator, window: 24h, max_usd: 25_000}\nrules:\n")
            .replacing("amount_usd: {up_to: 20_000}}", with: "amount_usd: {up_to: 20_000}, within: [bot-daily-usd]}")
        let start = s.c.now
        var ids: [String] = []
        for _ in 0..<3 {
            for source in PriceRoomTests.sources { try PriceRoomTests.post(&s, source, "2000") }
            let r = try PriceRoomTests.decide(&s)
            #expect(r.outcome == .allow && r.decision.price?.usd == FixedDecimal(2000)!)
            ids.append(r.id)
            s.c.now += 60_000
        }
        for source in PriceRoomTests.sources { try PriceRoomTests.post(&s, source, "1000") }
        let policy = try Self.compiled(limited, in: s.c)
        let all = s.c.state.replay(policy, since: start)
        #expect(all.replayed == 3)
        #expect(all.changes.map(\.requestId) == [ids[2]], "\(all.changes.map(\.line))")
        let change = try #require(all.changes.first)
        #expect(change.old.text == "allow" && change.new.text == "deny")
        #expect(change.reason.contains("bot-daily-usd") && change.recordedPrice, "\(change.reason)")
        let fromSecond = s.c.state.replay(policy, since: try #require(s.c.state.requestBook.requests[ids[1]]).blockTime)
        #expect(fromSecond.replayed == 2)
        #expect(fromSecond.changes.map(\.requestId) == [ids[2]], "the first, before the period, still counts")
    }

    /// Requests refused while signing was frozen are counted, named in the headline, and never
    /// decided again nor listed.
    @Test func frozenRequestsAreCountedApart() throws {
        var (c, key) = try Self.cluster()
        let start = c.now
        _ = try Self.submit(&c, key, amount: "8")
        try c.propose(.freeze, by: "heidi")
        let refused = try #require(Cluster.decided(try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "9"), keyId: "risk-bot", key: key))))
        #expect(refused.outcome == .deny)
        let replay = c.state.replay(try Self.compiled(Cluster.policy(version: 2).replacing("amount: {up_to: 10}", with: "amount: {up_to: 6}"), in: c), since: start)
        #expect(replay.replayed == 2 && replay.frozen == 1)
        #expect(!replay.changes.contains { $0.requestId == refused.id })
        #expect(replay.changedCount == 1)
        #expect(replay.headline.hasSuffix("(1 refused while signing was frozen, not decided again)"))
    }

    /// A reason names the first few exceeded limits and how many more, whatever the policy's
    /// size (review helper-92 M4).
    @Test func aReasonNamesAFewLimitsAndCountsTheRest() throws {
        var (c, key) = try Self.cluster()
        let start = c.now
        _ = try Self.submit(&c, key, amount: "5")
        let second = try Self.submit(&c, key, amount: "5")
        // Forty allow rules, each within its own hourly count of one: the second request
        // exceeds every one of them, and no allow rule matches it.
        let names = (0..<40).map { "l\($0)" }
        let many = Cluster.policy(version: 2)
            .replacing("rules:\n", with: "limits:\n" + names.map { "  \($0): {per: initiator, window: 1h, max_count: 1}\n" }.joined() + "rules:\n")
            .replacing("""
                  - name: bot-to-exchanges
                    match: {initiator: {kind: bot}, destination: {tags: [exchange]}, amount: {up_to: 10}}
                    outcome: allow
                """, with: names.map { """
                  - name: bot-to-exchanges-\($0)
                    match: {initiator: {kind: bot}, destination: {tags: [exchange]}, amount: {up_to: 10}, within: [\($0)]}
                    outcome: allow

                """ }.joined())
        let replay = c.state.replay(try Self.compiled(many, in: c), since: start)
        #expect(replay.changes.map(\.requestId) == [second])
        let reason = try #require(replay.changes.first?.reason)
        #expect(reason.hasSuffix("; and 37 more limits exceeded"), "\(reason)")
        #expect(reason.split(separator: "; ").count == 5)
    }
}
