import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
@testable import CustosState
import Testing

/// The windows room: limits that add up in block time across requests, whichever signer set
/// signs them; a request counts from its approval for signing, leaves its windows when they
/// pass or when it fails before broadcast; a policy change re-keys the totals; a restarted node
/// rebuilds the same windows from the log.
@Suite struct WindowRoomTests {
    /// The test policy with an hourly count limit per initiator and a daily USD limit per
    /// destination on the bots' rule.
    static func policy(version: Int = 1, hourly: Int = 2, name: String = "bot-hourly", per: String = "initiator") -> String {
        Cluster.policy(version: version)
            .replacing("rules:\n", with: """
                limits:
                  \(name): {per: \(per), window: 1h, max_count: \(hourly)}
                rules:

                """)
            .replacing("amount: {up_to: 10}}", with: "amount: {up_to: 10}, within: [\(name)]}")
    }

    static func cluster(policy: String = WindowRoomTests.policy()) throws -> (Cluster, BotSigningKey) {
        var c = try Cluster(policyYAML: policy)
        let key = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("risk-bot", key: key.publicKey)
        return (c, key)
    }

    static func submit(_ c: inout Cluster, _ key: BotSigningKey, amount: String = "5") throws -> (id: String, outcome: PolicyDecision.Outcome) {
        try #require(Cluster.decided(try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: amount), keyId: "risk-bot", key: key))))
    }

    @Test func anHourlyCountLimitHoldsAndFreesAtTheWindowsEdge() throws {
        var (c, key) = try Self.cluster()
        let first = try Self.submit(&c, key)
        let firstTime = c.now
        #expect(first.outcome == .allow)
        #expect(try Self.submit(&c, key).outcome == .allow)
        #expect(c.state.windows.book(.development).totals["bot-hourly", "risk-bot"].count == 2)
        let third = try Self.submit(&c, key)
        #expect(third.outcome == .deny)
        let decision = try #require(c.state.requestBook.requests[third.id]).decision
        #expect(decision.windows.map(\.text) == ["limit bot-hourly: 1h for initiator risk-bot: 3 of 2 requests (exceeded)"])
        // A denied request does not count.
        #expect(c.state.windows.book(.development).totals["bot-hourly", "risk-bot"].count == 2)
        // One millisecond before the first leaves its window it still counts...
        c.now = firstTime + 3_600_000 - 1 - 1000
        #expect(try Self.submit(&c, key).outcome == .deny)
        // ...and at its edge it no longer does.
        c.now = firstTime + 3_600_000 - 1000
        #expect(try Self.submit(&c, key).outcome == .allow)
        #expect(c.state.windows.book(.development).totals["bot-hourly", "risk-bot"].count == 2)
        // Two hours later every window is empty; the requests are held for the minimum hold
        // (a limit a later policy adds still counts them), and then nothing is.
        c.state.advance(to: c.now + 7_200_000)
        #expect(c.state.windows.book(.development).totals.totals(of: "bot-hourly").isEmpty)
        #expect(c.state.windows.heldCount == 3)
        c.state.advance(to: c.now + WindowBook.minimumHoldMilliseconds)
        #expect(c.state.windows.book(.development).totals.totals(of: "bot-hourly").isEmpty)
        #expect(c.state.windows.heldCount == 0)
    }

    @Test func aRestartedNodeRebuildsTheSameWindowsFromTheLog() throws {
        var (c, key) = try Self.cluster()
        for _ in 0..<3 { _ = try Self.submit(&c, key) }
        var restarted = try ReplicatedState(genesis: c.genesis)
        for (entry, time) in c.log { restarted.apply(entry, blockTime: time) }
        #expect(restarted.digest == c.state.digest)
        #expect(restarted.windows.book(.development).totals == c.state.windows.book(.development).totals)
        #expect(try Self.submit(&c, key).outcome == .deny)
    }

    @Test func firstSeenAndLargestAmountFollowApprovedRequests() throws {
        var (c, key) = try Self.cluster()
        let request = Cluster.transfer(by: "risk-bot")
        let destination = try #require(try PolicyRequest(json: request).destinationKey)
        #expect(c.state.windows.book(.development).destinations[destination] == nil)
        _ = try Self.submit(&c, key)
        let history = try #require(c.state.windows.book(.development).destinations[destination])
        #expect(history.count == 1 && history.firstSeen == Int64(c.now / 1000))
        // Without a price the request counts at zero USD.
        #expect(history.largestUSD == .zero)
    }

    /// Renaming a limit, or keeping it per something else, recounts the held requests under the
    /// new policy; one that keeps its name and keys keeps its totals.
    @Test func aPolicyChangeReKeysTheTotalsByName() throws {
        var (c, key) = try Self.cluster()
        _ = try Self.submit(&c, key)
        _ = try Self.submit(&c, key)
        func adopt(_ yaml: String) throws {
            let (p, _) = try c.propose(.changePolicy(yaml: yaml), by: "frank")
            try c.approve(p, by: "grace")
            try c.approve(p, by: "erin")
            #expect(c.status(p) == .executed, "\(String(describing: c.state.operations[p.id]?.failure))")
        }
        // A higher maximum under the same name: the two requests still count.
        try adopt(Self.policy(version: 2, hourly: 3))
        #expect(c.state.windows.book(.development).totals["bot-hourly", "risk-bot"].count == 2)
        #expect(try Self.submit(&c, key).outcome == .allow)
        #expect(try Self.submit(&c, key).outcome == .deny)
        // Renamed and kept per vault: the held requests are recounted under the new name and key.
        try adopt(Self.policy(version: 3, hourly: 3, name: "vault-hourly", per: "vault"))
        #expect(c.state.windows.book(.development).totals.totals(of: "bot-hourly").isEmpty)
        #expect(c.state.windows.book(.development).totals["vault-hourly", "hot"].count == 3)
        #expect(try Self.submit(&c, key).outcome == .deny)
        // A policy without limits still holds them, and counts what it approves meanwhile...
        try adopt(Cluster.policy(version: 4))
        #expect(c.state.windows.heldCount == 3)
        #expect(try Self.submit(&c, key).outcome == .allow)
        #expect(c.state.windows.heldCount == 4)
        // ...so a limit added back later counts every request inside its window, those approved
        // while the policy had none included.
        try adopt(Self.policy(version: 5, hourly: 5))
        #expect(c.state.windows.book(.development).totals["bot-hourly", "risk-bot"].count == 4)
        #expect(try Self.submit(&c, key).outcome == .allow)
        #expect(try Self.submit(&c, key).outcome == .deny)
    }

    @Test func windowArithmeticAtTheEdgesExpiryAndRelease() throws {
        let policy = try Cluster(policyYAML: Self.policy()).state.policy
        var book = WindowBook(policy: policy)
        let request = PolicyRequest(kind: .transfer, initiator: "risk-bot", vault: "hot", chain: "ethereum", asset: "ETH",
                                    amount: FixedDecimal(1)!, destination: Cluster.kraken)
        let charge = try #require(policy.windowCharge(for: request, in: StateSnapshot(time: 0)))
        #expect(charge.keys == ["risk-bot"])
        let t: UInt64 = 1_800_000_000_000
        book.count("a", request: request, charge: charge, at: t)
        book.count("a", request: request, charge: charge, at: t + 5)  // counted once
        book.count("b", request: request, charge: charge, at: t + 1000)
        book.count("c", request: request, charge: charge, at: t + 2000)
        #expect(book.totals["bot-hourly", "risk-bot"].count == 3)
        // Released before broadcast: it leaves now, and not a second time at its expiry. The
        // read-only view without b's charge is what the release leaves, and changes nothing.
        let withoutB = book.totals(releasing: "b")
        #expect(withoutB["bot-hourly", "risk-bot"].count == 2 && book.totals["bot-hourly", "risk-bot"].count == 3)
        book.release("b")
        #expect(book.totals == withoutB)
        #expect(book.totals(releasing: "b") == book.totals, "a released request has no charge left to take off")
        book.release("b")
        #expect(!book.counts("b") && book.counts("a"))
        #expect(book.totals["bot-hourly", "risk-bot"].count == 2)
        book.expire(at: t + 3_600_000 - 1)
        #expect(book.totals["bot-hourly", "risk-bot"].count == 2)
        book.expire(at: t + 3_600_000)
        #expect(book.totals["bot-hourly", "risk-bot"].count == 1)
        book.expire(at: t + 3_601_000)
        #expect(book.totals["bot-hourly", "risk-bot"].count == 1, "b was released already")
        #expect(book.heldCount == 3, "held for the minimum hold")
        // Releasing one whose window has passed changes nothing.
        #expect(book.totals(releasing: "a") == book.totals)
        book.release("a")
        #expect(book.totals["bot-hourly", "risk-bot"].count == 1)
        book.expire(at: t + 3_602_000)
        #expect(book.totals.totals(of: "bot-hourly").isEmpty && book.heldCount == 3)
        book.expire(at: t + 2000 + WindowBook.minimumHoldMilliseconds)
        #expect(book.totals.totals(of: "bot-hourly").isEmpty && book.heldCount == 0)
    }

    /// Totals that saturate at the largest decimal (a hostile or absurd notional) come back down
    /// exactly: a release takes off what that request added, never more, so what still counts
    /// is never under-counted, and nothing wraps.
    @Test func aReleaseFromASaturatedTotalIsExact() throws {
        let policy = try Cluster(policyYAML: Self.policy()).state.policy
        var book = WindowBook(policy: policy)
        let request = PolicyRequest(kind: .transfer, initiator: "risk-bot", vault: "hot", chain: "ethereum", asset: "ETH",
                                    amount: FixedDecimal(1)!, destination: Cluster.kraken)
        let half = FixedDecimal(raw: Int128.max / 2 + 1)
        let charge = WindowCharge(usd: half, keys: ["risk-bot"])
        let t: UInt64 = 1_800_000_000_000
        for (i, id) in ["a", "b", "c"].enumerated() { book.count(id, request: request, charge: charge, at: t + UInt64(i)) }
        #expect(book.totals["bot-hourly", "risk-bot"].usd == FixedDecimal(raw: .max))
        // Two of the three still add up beyond the largest decimal: still saturated (the old
        // arithmetic left max − half here, below what b and c add up to).
        // The read-only view without one request's charge is exact in the same way.
        for id in ["a", "b", "c"] {
            let view = book.totals(releasing: id)
            book.release(id)
            #expect(view == book.totals && view.totals(of: "bot-hourly") == book.totals.totals(of: "bot-hourly"))
            switch id {
            case "a": #expect(view["bot-hourly", "risk-bot"].usd == FixedDecimal(raw: .max))
            case "b": #expect(view["bot-hourly", "risk-bot"].usd == half)
            default: #expect(view.totals(of: "bot-hourly").isEmpty && view["bot-hourly", "risk-bot"] == .zero)
            }
        }
        // Expiry is exact in the same way, for saturation built from many requests.
        var again = WindowBook(policy: policy)
        let big = WindowCharge(usd: FixedDecimal(raw: Int128.max / 3), keys: ["risk-bot"])
        for i in 0..<10 { again.count("r\(i)", request: request, charge: big, at: t + UInt64(i) * 1000) }
        again.expire(at: t + 3_600_000 + 5_000)
        #expect(again.totals["bot-hourly", "risk-bot"].usd == FixedDecimal(raw: .max), "4 × max/3 still counts")
        again.expire(at: t + 3_600_000 + 6_000)
        #expect(again.totals["bot-hourly", "risk-bot"].usd == FixedDecimal(raw: Int128.max / 3 * 3))
        again.expire(at: t + 3_600_000 + 7_000)
        #expect(again.totals["bot-hourly", "risk-bot"].usd == FixedDecimal(raw: Int128.max / 3 * 2))
        again.expire(at: t + 3_600_000 + 9_000)
        #expect(again.totals.totals(of: "bot-hourly").isEmpty)
    }
}

/// A request whose signing fails before any signature could exist (no signer set was ever
/// assigned) stops counting toward its limits; one whose attempts ran keeps counting, since its
/// signers may have made a signature the gateway withheld from the log and can broadcast.
@Suite struct WindowReleaseTests {
    let signing = FROSTSigningTests()

    func allowedRequest() throws -> (FROSTSigningTests.Setup, String) {
        var c = try Cluster(policyYAML: WindowRoomTests.policy())
        c.state = try ReplicatedState(genesis: c.genesis, members: signing.nodes.map { try $0.identity.member() })
        let keys = try signing.ceremony.generate(&c, "hot", .frostEd25519)
        let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("risk-bot", key: bot.publicKey)
        let allowed = try WindowRoomTests.submit(&c, bot)
        #expect(allowed.outcome == .allow)
        try c.state.startSigning(request: allowed.id, vault: "hot", message: Array("withdraw 5 ETH".utf8))
        #expect(c.state.windows.book(.development).totals["bot-hourly", "risk-bot"].count == 1)
        return (FROSTSigningTests.Setup(c: c, keys: keys, request: allowed.id), allowed.id)
    }

    @Test func aSessionThatNeverHadSignersReleasesItsRequestFromTheWindows() throws {
        var (s, id) = try allowedRequest()
        let opened = try #require(s.c.state.signing[id])
        #expect(opened.status == .waiting)
        s.c.state.advance(to: opened.startedAt + SigningSession.waitLimit)
        #expect(s.c.state.signing[id]?.status == .failed)
        #expect(s.c.state.windows.book(.development).totals["bot-hourly", "risk-bot"].count == 0)
        #expect(!s.c.state.windows.counts(id))
    }

    @Test func aSessionWhoseAttemptsRanKeepsCounting() throws {
        var (s, id) = try allowedRequest()
        for n in signing.nodes { _ = try signing.publish(&s, n, count: Int(SigningSession.maximumAttempts)) }
        // No signature reaches the log: every attempt runs out, and the session fails. The
        // signers may still have made one (a gateway can withhold the entry), so it counts on.
        while let session = s.c.state.signing[id], session.status == .signing {
            s.c.state.advance(to: session.deadline)
        }
        #expect(s.c.state.signing[id]?.status == .failed)
        #expect(s.c.state.windows.book(.development).totals["bot-hourly", "risk-bot"].count == 1)
        #expect(s.c.state.windows.counts(id))
    }
}
