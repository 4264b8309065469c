import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
@testable import CustosState
import Testing

/// Window totals and destination history never cross environments (review helper-125 H1): a
/// request is decided on its own environment's totals and history alone. Tried as an attacker
/// holding development keys would: a development bot fills the counterparty window and the
/// firm's 24 h USD limit to block production trading, and pays a new address first so that a
/// production rule for first payments takes it as already seen; and the reverse.
extension WindowRoomTests {
    /// `EnvironmentTests`' cluster (vaults `hot` production and `lab` staging, bots `prod-bot`,
    /// `stage-bot` and `old-bot`, development) with a development vault `dev`, under `rules`
    /// (and `limits`, with three price bots per environment quoting ETH at 1,000 USD when `priced`).
    static func environmentCluster(limits: String = "", rules: String, priced: Bool = false) throws -> (Cluster, [String: BotSigningKey]) {
        var (c, keys) = try EnvironmentTests.cluster()
        try c.govern(.changePolicy(yaml: environmentPolicy(version: 3, limits: limits, rules: rules, priced: priced)))
        #expect(c.state.policyVersion == 3)
        try c.govern(.createVault(id: "dev", label: "Dev", scheme: .ecdsaSecp256k1, environment: .development))
        if priced {
            // Three price bots per environment, the fewest a USD limit accepts.
            for environment in DeploymentEnvironment.allCases {
                for n in 1...3 {
                    let source = "price-\(environment.rawValue)-\(n)"
                    keys[source] = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
                    try c.registerBot(source, key: keys[source]!.publicKey, roles: [PriceEntry.sourceRole], environment: environment)
                }
            }
            for source in keys.keys.sorted() where source.hasPrefix("price-") {
                let body = PricePost(asset: "ETH", usd: FixedDecimal(1000)!, time: Int64((c.now + 1000) / 1000)).json
                #expect(c.apply(try PriceEntry.post(c.signed(body, keyId: source, key: keys[source]!))) == .priced(asset: "ETH", source: source))
            }
        }
        return (c, keys)
    }

    static func environmentPolicy(version: Int, limits: String, rules: String, priced: Bool) -> String {
        Cluster.policy(version: version)
            .replacing("vaults: [hot]", with: "vaults: [hot, lab, dev]")
            .replacing("rules:\n  - name: bot-to-exchanges\n    match: {initiator: {kind: bot}, destination: {tags: [exchange]}, amount: {up_to: 10}}\n    outcome: allow\n",
                       with: limits + "rules:\n" + rules)
            + (priced ? "prices: {min_sources: 3, max_age: 5m, max_move_percent: 50}\n" : "")
    }

    static func pay(_ c: inout Cluster, _ keys: [String: BotSigningKey], _ bot: String, vault: String, _ amount: String, to destination: String = Cluster.kraken) throws -> RecordedRequest {
        var body = Cluster.transfer(by: bot, amount: amount, destination: destination)
        if case .object(let fields) = body { body = .object(fields.map { $0.0 == "vault" ? ("vault", .string(vault)) : $0 }) }
        let decided = try #require(Cluster.decided(try c.submit(c.signed(body, keyId: bot, key: keys[bot]!))))
        return try #require(c.state.requestBook.requests[decided.id])
    }

    @Test func aDevelopmentBotFillingTheWindowsLeavesProductionsTotalsAlone() throws {
        let limits = """
            limits:
              per-counterparty: {per: counterparty, window: 24h, max_count: 2}
              firm-daily-usd: {per: global, window: 24h, max_usd: 5_000}

            """
        let rules = """
              - name: bots-pay
                match: {initiator: {kind: bot}, amount: {up_to: 10}, within: [per-counterparty, firm-daily-usd]}
                outcome: allow

            """
        var (c, keys) = try Self.environmentCluster(limits: limits, rules: rules, priced: true)
        let start = c.now
        // The development bot spends the 24 h USD limit and the counterparty's count.
        #expect(try Self.pay(&c, keys, "old-bot", vault: "dev", "4").outcome == .allow)
        let over = try Self.pay(&c, keys, "old-bot", vault: "dev", "4")
        #expect(over.outcome == .deny)
        #expect(over.decision.windows.map(\.text).contains("limit firm-daily-usd: 24h in total: 8,000 of 5,000 USD (exceeded)"),
                "\(over.decision.windows.map(\.text))")
        #expect(try Self.pay(&c, keys, "old-bot", vault: "dev", "0.5").outcome == .allow)
        #expect(try Self.pay(&c, keys, "old-bot", vault: "dev", "0.1").outcome == .deny)
        let development = c.state.windows.book(.development).totals
        #expect(development["per-counterparty", "kraken"].count == 2)
        #expect(development.totals(of: "firm-daily-usd").values.map(\.usd) == [FixedDecimal(4_500)!])
        #expect(c.state.windows.book(.production).totals.totals(of: "per-counterparty").isEmpty)
        #expect(c.state.windows.book(.production).totals.totals(of: "firm-daily-usd").isEmpty)
        // Production is decided on its own totals: 4 ETH is 4,000 of its 5,000 USD, the first
        // of its 2 payments to kraken (shared, they would be 8,500 USD and the third payment).
        let production = try Self.pay(&c, keys, "prod-bot", vault: "hot", "4")
        #expect(production.outcome == .allow, "\(production.decision.windows.map(\.text))")
        #expect(production.decision.windows.map(\.text).contains("limit per-counterparty: 24h for counterparty kraken: 1 of 2 requests"),
                "\(production.decision.windows.map(\.text))")
        #expect(try Self.pay(&c, keys, "prod-bot", vault: "hot", "0.5").outcome == .allow)
        // Its own limit still holds.
        #expect(try Self.pay(&c, keys, "prod-bot", vault: "hot", "0.1").outcome == .deny)
        // And the reverse: production's full windows leave staging's (and development's) alone.
        let staged = try Self.pay(&c, keys, "stage-bot", vault: "lab", "0.5")
        #expect(staged.outcome == .allow, "\(staged.decision.windows.map(\.text))")
        #expect(c.state.windows.book(.staging).totals["per-counterparty", "kraken"].count == 1)
        #expect(c.state.windows.book(.development).totals == development)
        // A replay of the period keeps each environment's windows apart as the state did: the
        // policy in force, replayed, decides every request as recorded (shared windows would
        // deny production's), and the same policy changes none.
        let replay = try c.state.replay(yaml: Self.environmentPolicy(version: 4, limits: limits, rules: rules, priced: true), since: start)
        #expect(replay.replayed == 8)
        #expect(replay.changedCount == 0, "\(replay.changes.map(\.line))")
        #expect(!replay.limitations.contains { $0.contains("decided differently") }, "\(replay.limitations)")
    }

    @Test func aDevelopmentPaymentNeverMakesADestinationSeenForProduction() throws {
        // A first payment to an address must be a small test payment; later ones may be larger.
        let rules = """
              - name: first-payment-small
                match: {initiator: {kind: bot}, amount: {over: 1}}
                when: request.destination_first_seen
                outcome: deny
              - name: bots-pay
                match: {initiator: {kind: bot}, amount: {up_to: 10}}
                outcome: allow

            """
        var (c, keys) = try Self.environmentCluster(rules: rules)
        let first = "0x2222222222222222222222222222222222222222"
        // The development bot's test payment: seen in development only.
        let test = try Self.pay(&c, keys, "old-bot", vault: "dev", "0.5", to: first)
        #expect(test.outcome == .allow)
        let key = try #require(test.request.destinationKey)
        #expect(c.state.windows.book(.development).destinations[key]?.count == 1)
        #expect(c.state.windows.book(.production).destinations[key] == nil)
        // Production's first payment to it is still a first payment.
        let large = try Self.pay(&c, keys, "prod-bot", vault: "hot", "5", to: first)
        #expect(large.outcome == .deny && large.decision.applied.contains { $0.name == "first-payment-small" }, "\(large.decision)")
        #expect(try Self.pay(&c, keys, "prod-bot", vault: "hot", "0.5", to: first).outcome == .allow)
        #expect(try Self.pay(&c, keys, "prod-bot", vault: "hot", "5", to: first).outcome == .allow)
        // And the reverse: production's test payment does not make it seen for development.
        let second = "0x3333333333333333333333333333333333333333"
        #expect(try Self.pay(&c, keys, "prod-bot", vault: "hot", "0.5", to: second).outcome == .allow)
        let developmentLarge = try Self.pay(&c, keys, "old-bot", vault: "dev", "5", to: second)
        #expect(developmentLarge.outcome == .deny && developmentLarge.decision.applied.contains { $0.name == "first-payment-small" })
        // Nor for staging: its bot's first payment to the production-paid address is a first.
        #expect(try Self.pay(&c, keys, "stage-bot", vault: "lab", "5", to: second).outcome == .deny)
    }

    @Test func aRequestOfNoKnownEnvironmentCountsAsDevelopment() throws {
        let (c, _) = try EnvironmentTests.cluster()
        let request = { (initiator: String, vault: String) in
            PolicyRequest(kind: .transfer, initiator: initiator, vault: vault, chain: "ethereum", asset: "ETH",
                          amount: FixedDecimal(1)!, destination: Cluster.kraken)
        }
        #expect(c.state.windowEnvironment(of: request("heidi", "nowhere")) == .development)
        #expect(c.state.windowEnvironment(of: request("prod-bot", "nowhere")) == .production)
        #expect(c.state.windowEnvironment(of: request("old-bot", "hot")) == .production, "the vault's environment decides")
        #expect(c.state.windowEnvironment(of: request("heidi", "lab")) == .staging)
    }
}
