import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// The prices room: price bots registered through governance sign prices, every node checks
/// them, and decisions take the median of fresh sources — failing closed without enough of them.
@Suite struct PriceRoomTests {
    static let sources = ["price-a", "price-b", "price-c"]

    /// The test policy, with a USD-limited bot rule and prices from at least three sources no
    /// older than five minutes (a policy with USD clauses may not ask for fewer).
    static func policy() -> String {
        Cluster.policy()
            .replacing("amount: {up_to: 10}}", with: "amount_usd: {up_to: 20_000}}")
            + "prices: {min_sources: 3, max_age: 5m, max_move_percent: 10}\n"
    }

    struct Setup {
        var c: Cluster
        var bot: BotSigningKey
        var keys: [String: BotSigningKey]
    }

    static func setup() throws -> Setup {
        var c = try Cluster(policyYAML: policy())
        let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("risk-bot", key: bot.publicKey)
        var keys: [String: BotSigningKey] = [:]
        for source in sources {
            keys[source] = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
            try c.registerBot(source, key: keys[source]!.publicKey, roles: [PriceEntry.sourceRole])
        }
        return Setup(c: c, bot: bot, keys: keys)
    }

    /// `source` posts `usd` for ETH dated `age` seconds before the next block.
    @discardableResult
    static func post(_ s: inout Setup, _ source: String, _ usd: String, age: Int64 = 0, key: BotSigningKey? = nil) throws -> GovernanceOutcome {
        let time = Int64((s.c.now + 1000) / 1000) - age
        let body = PricePost(asset: "ETH", usd: FixedDecimal(parsing: usd)!, time: time).json
        return s.c.apply(try PriceEntry.post(s.c.signed(body, keyId: source, key: key ?? s.keys[source]!)))
    }

    static func decide(_ s: inout Setup, amount: String = "5") throws -> RecordedRequest {
        let decided = try #require(Cluster.decided(try s.c.submit(s.c.signed(Cluster.transfer(by: "risk-bot", amount: amount), keyId: "risk-bot", key: s.bot))))
        return try #require(s.c.state.requestBook.requests[decided.id])
    }

    @Test func theMedianOfThreeSourcesDecidesAndALiarDoesNotMoveIt() throws {
        var s = try Self.setup()
        #expect(try Self.post(&s, "price-a", "3000") == .priced(asset: "ETH", source: "price-a"))
        // One source is not enough for this policy: the USD rule fails closed.
        let alone = try Self.decide(&s)
        #expect(alone.outcome == .deny)
        #expect(alone.decision.skippedAllows.first?.problem.contains("1 source no older than 5m, the policy needs 3") == true)
        try Self.post(&s, "price-b", "3002")
        // Nor are two.
        #expect(try Self.decide(&s).outcome == .deny)
        try Self.post(&s, "price-c", "3001")
        let honest = try Self.decide(&s)
        #expect(honest.outcome == .allow)
        #expect(honest.decision.price == PriceMedian(asset: "ETH", usd: FixedDecimal(3001)!, sources: 3))
        // One source lies wildly: the median stays between the honest two, the decision the same.
        try Self.post(&s, "price-c", "1000000")
        let lied = try Self.decide(&s)
        #expect(lied.outcome == .allow)
        #expect(lied.decision.price?.usd == FixedDecimal(3002)!)
        #expect(lied.decision.price?.move == nil)
        #expect(s.c.state.windows.book(.development).destinations[try #require(lied.request.destinationKey)]?.largestUSD == FixedDecimal(15_010)!)
    }

    @Test func stalePricesFailClosed() throws {
        var s = try Self.setup()
        try Self.post(&s, "price-a", "3000")
        try Self.post(&s, "price-b", "3000")
        try Self.post(&s, "price-c", "3000")
        #expect(try Self.decide(&s).outcome == .allow)
        // Five minutes on, one source has gone stale: too few remain.
        s.c.now += 299_000
        let stale = try Self.decide(&s)
        #expect(stale.outcome == .deny)
        #expect(stale.decision.price == nil)
        // Fresh prices restore the median.
        for source in Self.sources { try Self.post(&s, source, "3000") }
        #expect(try Self.decide(&s).outcome == .allow)
    }

    /// Two sources that move the median by a third in one entry (a crash, or two sources
    /// pushing a price down to shrink what a request counts against its USD limits): the USD
    /// clauses fail closed, as for a missing price, until a later entry confirms the level.
    @Test func aMoveBeyondTheBoundFailsUSDClausesClosedUntilConfirmed() throws {
        var s = try Self.setup()
        for source in Self.sources { try Self.post(&s, source, "3000") }
        #expect(try Self.decide(&s).outcome == .allow)
        try Self.post(&s, "price-a", "2000")
        try Self.post(&s, "price-b", "2000")
        let move = try #require(s.c.state.prices.board(.development).latest["ETH"]?.move)
        #expect(move.from == FixedDecimal(3000)! && move.to == FixedDecimal(2000)!)
        let moved = try Self.decide(&s)
        #expect(moved.outcome == .deny)
        #expect(moved.decision.price?.move == move)
        #expect(moved.decision.skippedAllows.first?.problem.contains("moved 33.33%, beyond the policy's 10% (prices.max_move_percent); it counts again once 3 sources have each quoted the new level since") == true,
                "\(moved.decision.skippedAllows.first?.problem ?? "")")
        // It is not charged to the windows at the moved price either.
        #expect(s.c.state.windows.book(.development).destinations[try #require(moved.request.destinationKey)]?.largestUSD == FixedDecimal(15_000)!)
        // The two sources that moved it cannot confirm it alone, however often they post.
        for _ in 0..<3 {
            s.c.now += 1000
            try Self.post(&s, "price-a", "2000")
            try Self.post(&s, "price-b", "2000")
            #expect(s.c.state.prices.board(.development).latest["ETH"]?.move == move)
        }
        #expect(try Self.decide(&s).outcome == .deny)
        // The third source quotes the new level too: three sources since the move, confirmed.
        try Self.post(&s, "price-c", "2000")
        #expect(s.c.state.prices.board(.development).latest["ETH"]?.move == nil)
        let confirmed = try Self.decide(&s)
        #expect(confirmed.outcome == .allow && confirmed.decision.price?.usd == FixedDecimal(2000)!)
    }

    /// Quotes that age out can move the median with no entry at all: five sources, three at
    /// 3,000 quoted first and two at 2,000 later; once two of the first three are stale, the
    /// median of the fresh three is 2,000. Nobody posted that level, so it is not used.
    @Test func aMedianMovedByQuotesAgeingOutIsNotUsed() throws {
        var s = try Self.setup()
        for source in ["price-d", "price-e"] {
            s.keys[source] = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
            try s.c.registerBot(source, key: s.keys[source]!.publicKey, roles: [PriceEntry.sourceRole])
        }
        try Self.post(&s, "price-a", "3000")
        try Self.post(&s, "price-b", "3000")
        s.c.now += 120_000
        try Self.post(&s, "price-c", "3000")
        try Self.post(&s, "price-d", "2000")
        try Self.post(&s, "price-e", "2000")
        #expect(s.c.state.prices.board(.development).latest["ETH"]?.usd == FixedDecimal(3000)! && s.c.state.prices.board(.development).latest["ETH"]?.move == nil)
        #expect(try Self.decide(&s).outcome == .allow)
        // a and b go stale: c, d and e remain, their median 2,000.
        s.c.now += 200_000
        let drifted = try Self.decide(&s)
        #expect(drifted.outcome == .deny)
        #expect(drifted.decision.price?.usd == FixedDecimal(2000)! && drifted.decision.price?.move?.from == FixedDecimal(3000)!)
    }

    @Test func futureReplayedForeignAndForgedPricesAreRefused() throws {
        var s = try Self.setup()
        #expect(Cluster.code(try Self.post(&s, "price-a", "3000", age: -31)) == .priceRefused, "more than 30 s in the future")
        #expect(try Self.post(&s, "price-a", "3000", age: -30) == .priced(asset: "ETH", source: "price-a"))
        // One block (a second) later, dated the same second as the last.
        #expect(Cluster.code(try Self.post(&s, "price-a", "3100", age: -29)) == .priceRefused, "not after the source's last")
        #expect(Cluster.code(try Self.post(&s, "price-b", "3000", age: 301)) == .priceRefused, "too old to count")
        #expect(Cluster.code(try Self.post(&s, "risk-bot", "1", key: s.bot)) == .priceRefused, "no price role")
        #expect(Cluster.code(try Self.post(&s, "price-b", "3000", key: s.bot)) == .requestRefused, "signed with another key")
        #expect(Cluster.code(try Self.post(&s, "price-b", "0")) == .invalidRequest)
        #expect(Cluster.code(try Self.post(&s, "nobody", "1", key: s.bot)) == .unknownBot)
        // Replaying an accepted entry in a later block is refused: its time is not after the last.
        let entry = try PriceEntry.post(s.c.signed(PricePost(asset: "ETH", usd: FixedDecimal(3000)!, time: Int64(s.c.now / 1000)).json,
                                                   keyId: "price-b", key: s.keys["price-b"]!))
        #expect(s.c.apply(entry) == .priced(asset: "ETH", source: "price-b"))
        #expect(Cluster.code(s.c.apply(entry)) == .priceRefused)
        #expect(s.c.state.prices.board(.development).quotes["ETH"]?.count == 2)
    }
}
