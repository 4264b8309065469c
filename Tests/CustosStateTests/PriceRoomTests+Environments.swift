import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// Prices never cross environments (issue 14 item 5): a price bot's quotes count only for the
/// vaults of its own environment. Tried as an attacker holding development keys would: three
/// development price bots post an absurd price to shrink the USD notional of a production
/// vault's request below its limit, then another to flag a move.
extension PriceRoomTests {
    /// A production vault "hot", the production trading bot `risk-bot`, a staging vault "lab"
    /// with the staging bot `stage-bot`, and three price bots each of development and production.
    static func environments() throws -> Setup {
        var c = try Cluster(policyYAML: policy())
        c.state = try ReplicatedState(genesis: c.genesis, members: EnvironmentTests.nodes.map { try $0.member() })
        try c.govern(.createVault(id: "hot", label: "Hot", scheme: .ecdsaSecp256k1, environment: .production))
        try c.govern(.createVault(id: "lab", label: "Lab", scheme: .ecdsaSecp256k1, environment: .staging))
        let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("risk-bot", key: bot.publicKey, environment: .production)
        var keys: [String: BotSigningKey] = ["risk-bot": bot, "stage-bot": BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())]
        try c.registerBot("stage-bot", key: keys["stage-bot"]!.publicKey, environment: .staging)
        for (source, environment) in [("dev-a", Vault.Environment.development), ("dev-b", .development), ("dev-c", .development),
                                      ("prod-a", .production), ("prod-b", .production), ("prod-c", .production)] {
            keys[source] = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
            try c.registerBot(source, key: keys[source]!.publicKey, roles: [PriceEntry.sourceRole], environment: environment)
        }
        return Setup(c: c, bot: bot, keys: keys)
    }

    @Test func developmentPriceBotsNeverPriceAProductionVaultsRequest() throws {
        var s = try Self.environments()
        // Three development bots agree on an absurd price: the production vault has no price.
        for source in ["dev-a", "dev-b", "dev-c"] { #expect(try Self.post(&s, source, "0.0001") == .priced(asset: "ETH", source: source)) }
        #expect(s.c.state.prices.board(.development).quotes["ETH"]?.count == 3)
        #expect(s.c.state.prices.board(.production).quotes["ETH"] == nil)
        let unpriced = try Self.decide(&s)
        #expect(unpriced.outcome == .deny)
        #expect(unpriced.decision.price == nil)
        #expect(unpriced.decision.skippedAllows.first?.problem.contains("no USD price for ETH in the state from a production price bot") == true,
                "\(unpriced.decision.skippedAllows.first?.problem ?? "")")
        // The production bots price it; the development quotes are not among the sources.
        for (source, usd) in [("prod-a", "3000"), ("prod-b", "3001"), ("prod-c", "3002")] { try Self.post(&s, source, usd) }
        let priced = try Self.decide(&s)
        #expect(priced.outcome == .allow)
        #expect(priced.decision.price == PriceMedian(asset: "ETH", usd: FixedDecimal(3001)!, sources: 3))
        #expect(s.c.state.windows.book(.production).destinations[try #require(priced.request.destinationKey)]?.largestUSD == FixedDecimal(15_005)!)
        // 100 ETH is 300,100 USD at the production median, over the 20,000 limit; at the
        // development bots' 0.0001 it would be 0.01.
        #expect(try Self.decide(&s, amount: "100").outcome == .deny)
        // A development move beyond the bound flags the development board only.
        s.c.now += 1000
        for source in ["dev-a", "dev-b"] { try Self.post(&s, source, "1000000") }
        #expect(s.c.state.prices.board(.development).latest["ETH"]?.move != nil)
        #expect(s.c.state.prices.board(.production).latest["ETH"]?.move == nil)
        let after = try Self.decide(&s)
        #expect(after.outcome == .allow && after.decision.price?.usd == FixedDecimal(3001)!)
        // Nor the reverse: production bots do not price a staging vault's request.
        let staged = try EnvironmentTests.submit(&s.c, s.keys, "stage-bot", vault: "lab")
        #expect(staged.outcome == .deny && staged.decision.price == nil)
        #expect(staged.decision.skippedAllows.first?.problem.contains("from a staging price bot") == true,
                "\(staged.decision.skippedAllows.first?.problem ?? "")")
    }
}
