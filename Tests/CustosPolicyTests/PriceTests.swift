import CustosCore
import CustosPolicy
import Testing

/// Prices from signed sources: the median of fresh quotes, fail closed without enough of them,
/// and flagged moves; the `prices` section and the novelty fields of the request schema.
@Suite struct PriceTests {
    static let now = Fixtures.tuesdayMorning
    static func usd(_ text: String) -> FixedDecimal { FixedDecimal(parsing: text)! }
    static func quote(_ source: String, _ usd: String, age: Int64 = 60) -> PriceQuote {
        PriceQuote(source: source, usd: Self.usd(usd), time: now - age)
    }

    static let usdRule = """
          - name: small-usd
            match: {initiator: {users: [bot]}, amount_usd: {up_to: 10_000}}
            outcome: allow

        """

    /// The state a node builds: the median of the quotes, or why there is none.
    static func state(_ quotes: [PriceQuote], policy: PricePolicy) -> StateSnapshot {
        var state = StateSnapshot(time: now)
        switch policy.median(of: "ETH", quotes: quotes, at: now) {
        case .success(let median):
            state.prices["ETH"] = median.usd
            state.medians["ETH"] = median
        case .failure(let problem):
            state.priceProblems["ETH"] = problem.reason
        }
        return state
    }

    @Test func oneLyingSourceOfThreeDoesNotChangeTheDecision() throws {
        let policy = try Fixtures.policy(rules: Self.usdRule)
        let prices = PricePolicy(minSources: 3)
        let honest = [Self.quote("a", "3000"), Self.quote("b", "3001"), Self.quote("c", "2999")]
        let request = Fixtures.transfer("bot", amount: "3", asset: "ETH")
        let truth = policy.evaluate(request, in: Self.state(honest, policy: prices))
        #expect(truth.outcome == .allow)
        for lie in ["0.000001", "1000000", "3000"] {
            var quotes = honest
            quotes[2] = Self.quote("c", lie)
            let state = Self.state(quotes, policy: prices)
            let median = try #require(state.medians["ETH"])
            #expect(median.usd >= Self.usd("3000") && median.usd <= Self.usd("3001"), "lie \(lie)")
            #expect(median.sources == 3)
            #expect(policy.evaluate(request, in: state).outcome == truth.outcome, "lie \(lie)")
        }
    }

    /// With an even count the higher middle quote, the conservative one for limits on outgoing
    /// value: a source quoting low cannot pull the figure below what the honest middle says.
    @Test func anEvenNumberOfSourcesTakesTheHigherMiddleQuote() throws {
        let quotes = [Self.quote("a", "10"), Self.quote("b", "20"), Self.quote("c", "30"), Self.quote("d", "1000")]
        #expect(try PricePolicy().median(of: "ETH", quotes: quotes, at: Self.now).get().usd == Self.usd("30"))
        // The order quotes arrive in does not matter.
        #expect(try PricePolicy().median(of: "ETH", quotes: quotes.reversed(), at: Self.now).get().usd == Self.usd("30"))
        // A liar quoting near zero among four moves it no lower than the honest upper middle.
        let honest = [Self.quote("a", "3000"), Self.quote("b", "3001"), Self.quote("c", "3002"), Self.quote("d", "0.000001")]
        #expect(try PricePolicy(minSources: 4).median(of: "ETH", quotes: honest, at: Self.now).get().usd == Self.usd("3001"))
    }

    @Test func staleOrTooFewSourcesFailClosed() throws {
        let policy = try Fixtures.policy(rules: Self.usdRule + """
              - name: deny-large-usd
                match: {amount_usd: {over: 1_000_000}}
                outcome: deny

            """)
        let prices = PricePolicy(minSources: 2, maxAgeSeconds: 300)
        let request = Fixtures.transfer("bot", amount: "3", asset: "ETH")
        // Fresh and enough: allowed.
        let fresh = Self.state([Self.quote("a", "3000"), Self.quote("b", "3000")], policy: prices)
        #expect(policy.evaluate(request, in: fresh).outcome == .allow)
        // One source has gone stale: too few remain; the USD allow is skipped and the USD deny applies.
        let stale = Self.state([Self.quote("a", "3000"), Self.quote("b", "3000", age: 301)], policy: prices)
        #expect(stale.prices["ETH"] == nil)
        let decision = policy.evaluate(request, in: stale)
        #expect(decision.outcome == .deny)
        #expect(decision.reason == .deniedByRule("deny-large-usd"))
        #expect(decision.applied.first?.failedClosed?.contains("1 source no older than 5m, the policy needs 2") == true)
        // A quote from the future (beyond the block time) does not count either.
        let future = Self.state([Self.quote("a", "3000"), Self.quote("b", "3000", age: -10)], policy: prices)
        #expect(future.prices["ETH"] == nil)
        // Exactly at the staleness bound still counts.
        let edge = Self.state([Self.quote("a", "3000"), Self.quote("b", "3000", age: 300)], policy: prices)
        #expect(edge.prices["ETH"] == Self.usd("3000"))
        let explanation = policy.explain(request, in: stale).text
        #expect(explanation.contains("price of ETH: none (no valid USD price for ETH"))
    }

    @Test func movesBeyondTheBoundAreFlagged() throws {
        let prices = PricePolicy(maxMovePercent: Self.usd("10"))
        #expect(prices.move(from: Self.usd("3000"), to: Self.usd("3300"), at: Self.now) == nil)
        let move = try #require(prices.move(from: Self.usd("3000"), to: Self.usd("2000"), at: Self.now))
        #expect(move.percent > Self.usd("33.33") && move.percent < Self.usd("33.34"))
        let median = PriceMedian(asset: "ETH", usd: Self.usd("2000"), sources: 3, move: move)
        #expect(median.lines == [
            "price of ETH: 2,000 USD, the median of 3 sources",
            "PRICE MOVE: the median of ETH moved 33.33% (from 3,000 to 2,000 USD), beyond the policy's 10%: USD clauses fail closed until enough sources (prices.min_sources) have quoted the new level since",
        ])
        // A moved median is not a price a decision may use.
        let refusal = try #require(prices.refusal(of: median))
        #expect(refusal.reason.contains("moved 33.33%") && refusal.reason.contains("prices.max_move_percent"))
        #expect(prices.refusal(of: PriceMedian(asset: "ETH", usd: Self.usd("2000"), sources: 3)) == nil)
        let policy = try Fixtures.policy(rules: Self.usdRule)
        var state = StateSnapshot(time: Self.now, prices: ["ETH": Self.usd("2000")])
        state.medians["ETH"] = median
        let text = policy.explain(Fixtures.transfer("bot", amount: "1", asset: "ETH"), in: state).text
        #expect(text.contains("PRICE MOVE: the median of ETH moved 33.33%"))
        #expect(policy.evaluate(Fixtures.transfer("bot", amount: "1", asset: "ETH"), in: state).price == median)
    }

    @Test func thePricesSectionIsReadAndChecked() throws {
        let policy = try CompiledPolicy(yaml: Fixtures.yaml(rules: Self.usdRule) + "prices: {min_sources: 3, max_age: 5m, max_move_percent: 2.5}\n")
        #expect(policy.document.prices == PricePolicy(minSources: 3, maxAgeSeconds: 300, maxMovePercent: Self.usd("2.5")))
        #expect(try Fixtures.policy(rules: Self.usdRule).document.prices == PricePolicy(minSources: 3, maxAgeSeconds: 900, maxMovePercent: Self.usd("10")))
        for bad in ["prices: {min_sources: 0}", "prices: {max_age: soon}", "prices: {max_move_percent: 0}", "prices: {median: true}"] {
            #expect(!Fixtures.errors(Fixtures.yaml(rules: Self.usdRule) + bad + "\n").isEmpty, "\(bad)")
        }
    }

    @Test func noveltyFieldsReadTheDestinationsHistory() throws {
        let policy = try Fixtures.policy(rules: """
              - name: first-time-needs-treasury
                match: {initiator: {users: [bot]}}
                when: request.destination_first_seen || request.amount_usd > request.destination_largest_usd * 2
                outcome: {require: {group: treasury, count: 1}}
              - name: bot
                match: {initiator: {users: [bot]}}
                outcome: allow

            """)
        let request = Fixtures.transfer("bot", amount: "100", asset: "USDC")
        var state = Fixtures.state()
        #expect(policy.evaluate(request, in: state).outcome == .needsApprovals)
        let key = try #require(request.destinationKey)
        state.destinations[key] = DestinationHistory(firstSeen: Self.now - 86_400, largestUSD: Self.usd("60"), count: 1)
        #expect(policy.evaluate(request, in: state).outcome == .allow)
        state.destinations[key]!.largestUSD = Self.usd("40")
        #expect(policy.evaluate(request, in: state).outcome == .needsApprovals)
        #expect(!Fixtures.errors(Fixtures.yaml(rules: """
              - name: typed
                match: {initiator: {users: [bot]}}
                when: request.destination_first_seen == 1
                outcome: allow

            """)).isEmpty)
    }

    @Test func decisionsCarryTheWindowFiguresTheyRead() throws {
        let policy = try Fixtures.policy(rules: """
              - name: within
                match: {destination: {tags: [exchange]}, within: [exchange-daily, bot-hourly]}
                outcome: allow

            """)
        var state = Fixtures.state()
        state.windows["exchange-daily", "kraken"] = .init(usd: Self.usd("4200"), count: 2)
        state.windows["bot-hourly", "bot"] = .init(usd: .zero, count: 3)
        let decision = policy.evaluate(Fixtures.transfer("bot", amount: "100"), in: state)
        #expect(decision.outcome == .deny)
        #expect(decision.windows.map(\.text) == [
            "limit exchange-daily: 24h for counterparty kraken: 4,300 of 1,000,000 USD",
            "limit bot-hourly: 1h for initiator bot: 4 of 3 requests (exceeded)",
        ])
    }
}
