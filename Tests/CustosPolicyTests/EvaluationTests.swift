import CustosCore
import CustosPolicy
import Foundation
import Testing

/// Evaluation, construct by construct: each match field, precedence, default deny, fail-closed
/// behaviour, rolling windows and time windows.
@Suite struct EvaluationTests {
    /// One rule with the given match, allowing; the request under test must match it to be allowed.
    static func single(_ match: String, when: String? = nil, outcome: String = "allow") throws -> CompiledPolicy {
        var rule = "  - name: r\n    match: \(match)\n    outcome: \(outcome)\n"
        if let when { rule += "    when: \"\(when)\"\n" }
        return try Fixtures.policy(rules: rule)
    }

    struct MatchCase: Sendable, CustomTestStringConvertible {
        let match: String
        let request: PolicyRequest
        let matches: Bool
        var testDescription: String { "\(match) matches=\(matches)" }
    }

    static let matchCases: [MatchCase] = [
        // initiator
        MatchCase(match: "{initiator: {users: [alice]}}", request: Fixtures.transfer("alice"), matches: true),
        MatchCase(match: "{initiator: {users: [alice]}}", request: Fixtures.transfer("bob"), matches: false),
        MatchCase(match: "{initiator: {roles: [risk]}}", request: Fixtures.transfer("carol"), matches: true),
        MatchCase(match: "{initiator: {roles: [risk]}}", request: Fixtures.transfer("alice"), matches: false),
        MatchCase(match: "{initiator: {users: [alice], roles: [risk]}}", request: Fixtures.transfer("dan"), matches: true),
        MatchCase(match: "{initiator: {kind: bot}}", request: Fixtures.transfer("bot"), matches: true),
        MatchCase(match: "{initiator: {kind: bot}}", request: Fixtures.transfer("alice"), matches: false),
        MatchCase(match: "{initiator: {roles: [treasury], kind: person}}", request: Fixtures.transfer("bob"), matches: true),
        // vault, chain, asset
        MatchCase(match: "{vault: [hot]}", request: Fixtures.transfer(vault: "hot"), matches: true),
        MatchCase(match: "{vault: [cold]}", request: Fixtures.transfer(vault: "hot"), matches: false),
        MatchCase(match: "{vault: [cold]}", request: Fixtures.transfer(vault: "nonexistent"), matches: false),
        MatchCase(match: "{chain: [ethereum]}", request: Fixtures.transfer(chain: "ethereum"), matches: true),
        MatchCase(match: "{chain: [bitcoin]}", request: Fixtures.transfer(chain: "ethereum"), matches: false),
        MatchCase(match: "{asset: [USDC, ETH]}", request: Fixtures.transfer(asset: "ETH"), matches: true),
        MatchCase(match: "{asset: [USDC]}", request: Fixtures.transfer(asset: "ETH"), matches: false),
        // destination: entries, tags, counterparties, known
        MatchCase(match: "{destination: {entries: [kraken]}}", request: Fixtures.transfer(to: Fixtures.kraken), matches: true),
        MatchCase(match: "{destination: {entries: [kraken]}}", request: Fixtures.transfer(to: Fixtures.binance), matches: false),
        MatchCase(match: "{destination: {tags: [exchange]}}", request: Fixtures.transfer(to: Fixtures.binance), matches: true),
        MatchCase(match: "{destination: {tags: [exchange]}}", request: Fixtures.transfer(to: Fixtures.coldWallet), matches: false),
        MatchCase(match: "{destination: {tags: [exchange]}}", request: Fixtures.transfer(to: Fixtures.stranger), matches: false),
        MatchCase(match: "{destination: {counterparties: [kraken]}}", request: Fixtures.transfer(to: Fixtures.kraken), matches: true),
        MatchCase(match: "{destination: {counterparties: [kraken]}}", request: Fixtures.transfer(to: Fixtures.binance), matches: false),
        MatchCase(match: "{destination: {known: false}}", request: Fixtures.transfer(to: Fixtures.stranger), matches: true),
        MatchCase(match: "{destination: {known: false}}", request: Fixtures.transfer(to: Fixtures.kraken), matches: false),
        MatchCase(match: "{destination: {known: true}}", request: Fixtures.transfer(to: Fixtures.kraken), matches: true),
        MatchCase(match: "{destination: any}", request: Fixtures.transfer(to: Fixtures.stranger), matches: true),
        // EIP-55 mixed case is the same address; an address on another chain is not.
        MatchCase(match: "{destination: {entries: [router]}}", request: Fixtures.transfer(to: "0xABCDEF4444444444444444444444444444444444"), matches: true),
        MatchCase(match: "{destination: {entries: [router]}}", request: Fixtures.transfer(to: "0xabcdef4444444444444444444444444444444444"), matches: true),
        MatchCase(match: "{destination: {entries: [kraken]}}", request: Fixtures.transfer(chain: "bitcoin", to: Fixtures.kraken), matches: false),
        // amounts (native), USD notional, fee
        MatchCase(match: "{amount: {up_to: 100}}", request: Fixtures.transfer(amount: "100"), matches: true),
        MatchCase(match: "{amount: {under: 100}}", request: Fixtures.transfer(amount: "100"), matches: false),
        MatchCase(match: "{amount: {over: 100}}", request: Fixtures.transfer(amount: "100.000000000000000001"), matches: true),
        MatchCase(match: "{amount: {at_least: 100}}", request: Fixtures.transfer(amount: "99.99"), matches: false),
        MatchCase(match: "{amount_usd: {over: 10000}}", request: Fixtures.transfer(amount: "4", asset: "ETH"), matches: true),
        MatchCase(match: "{amount_usd: {over: 12000}}", request: Fixtures.transfer(amount: "4", asset: "ETH"), matches: false),
        MatchCase(match: "{fee: {over: 0.01}}", request: Fixtures.transfer(fee: "0.02"), matches: true),
        MatchCase(match: "{fee: {over: 0.01}}", request: Fixtures.transfer(fee: "0.01"), matches: false),
        // kinds
        MatchCase(match: "{kind: [transfer]}", request: Fixtures.transfer(), matches: true),
        MatchCase(match: "{kind: [contract_call]}", request: Fixtures.transfer(), matches: false),
    ]

    @Test(arguments: matchCases)
    func matchFields(_ c: MatchCase) throws {
        let policy = try Self.single(c.match)
        let decision = policy.evaluate(c.request, in: Fixtures.state())
        #expect((decision.outcome == .allow) == c.matches, "\(c.match): \(decision.reason)")
    }

    static func callRequest(function: String, target: String = Fixtures.router, spender: String = Fixtures.kraken, amount: String = "100") -> PolicyRequest {
        var r = Fixtures.transfer("alice", amount: "0", asset: "ETH", to: target)
        r.kind = .contractCall
        var call = PolicyRequest.ContractCall(target: target, function: function, arguments: ["spender": spender])
        if let d = FixedDecimal(parsing: amount) { call.amounts["amount"] = d } else { call.oversizedAmounts.insert("amount") }
        r.call = call
        return r
    }

    @Test(arguments: [
        ("{call: {targets: [router]}}", "approve", Fixtures.router, true),
        ("{call: {targets: [router]}}", "approve", Fixtures.kraken, false),
        ("{call: {targets: ['0xABCDEF4444444444444444444444444444444444']}}", "swap", Fixtures.router, true),
        ("{call: {functions: [approve]}}", "approve", Fixtures.router, true),
        ("{call: {functions: [approve]}}", "transfer", Fixtures.router, false),
        ("{kind: [contract_call]}", "anything", Fixtures.router, true),
    ])
    func contractCallMatches(match: String, function: String, target: String, matches: Bool) throws {
        let policy = try Self.single(match)
        let decision = policy.evaluate(Self.callRequest(function: function, target: target), in: Fixtures.state())
        #expect((decision.outcome == .allow) == matches)
        // A call rule never matches a plain transfer.
        if match.contains("call:") {
            #expect(policy.evaluate(Fixtures.transfer(), in: Fixtures.state()).outcome == .deny)
        }
    }

    @Test(arguments: [
        // Tuesday 10:00 UTC = Tuesday 11:00 at +01:00 = Tuesday 05:00 at -05:00.
        ("{during: {zone: UTC, days: [tue], hours: '09:00-11:00'}}", Int64(0), true),
        ("{during: {zone: UTC, days: [tue], hours: '10:01-11:00'}}", Int64(0), false),
        ("{during: {zone: UTC, days: [mon, wed], hours: '00:00-24:00'}}", Int64(0), false),
        ("{during: {zone: '+01:00', days: [tue], hours: '11:00-12:00'}}", Int64(0), true),
        ("{during: {zone: UTC-05:00, days: [tue], hours: '05:00-06:00'}}", Int64(0), true),
        ("{during: {zone: '+14:00', days: [wed]}}", Int64(0), true),
        ("{outside: {zone: UTC, days: [mon, tue, wed, thu, fri], hours: '07:00-19:00'}}", Int64(0), false),
        ("{outside: {zone: UTC, days: [mon, tue, wed, thu, fri], hours: '07:00-19:00'}}", Int64(10 * 3600), true),
        ("{outside: {zone: UTC, days: [mon, tue, wed, thu, fri]}}", Int64(4 * 86_400), true),  // Saturday
    ])
    func timeWindows(match: String, offset: Int64, matches: Bool) throws {
        let policy = try Self.single(match)
        let decision = policy.evaluate(Fixtures.transfer(), in: Fixtures.state(time: Fixtures.tuesdayMorning + offset))
        #expect((decision.outcome == .allow) == matches)
    }

    @Test func timeBeforeTheEpochUsesFloorDivision() throws {
        // 1969-12-31 23:30 UTC was a Wednesday.
        let policy = try Self.single("{during: {zone: UTC, days: [wed], hours: '23:00-24:00'}}")
        #expect(policy.evaluate(Fixtures.transfer(), in: Fixtures.state(time: -1800)).outcome == .allow)
    }

    // MARK: - Rolling windows

    func state(exchangeUSD: String, count: Int = 0, botCount: Int = 0) -> StateSnapshot {
        var s = Fixtures.state()
        s.windows["exchange-daily", "kraken"] = .init(usd: FixedDecimal(parsing: exchangeUSD)!, count: count)
        s.windows["bot-hourly", "bot"] = .init(usd: .zero, count: botCount)
        return s
    }

    @Test(arguments: [
        ("900000", "100000", true),   // exactly at the limit holds
        ("900000", "100001", false),
        ("0", "1000001", false),
        ("999999.99", "0.01", true),
    ])
    func withinLimit(spent: String, amount: String, holds: Bool) throws {
        let policy = try Self.single("{destination: {tags: [exchange]}, within: [exchange-daily]}")
        let decision = policy.evaluate(Fixtures.transfer(amount: amount), in: state(exchangeUSD: spent))
        #expect((decision.outcome == .allow) == holds)
        let over = try Self.single("{destination: {tags: [exchange]}, exceeds: [exchange-daily]}", outcome: "deny")
        let overDecision = over.evaluate(Fixtures.transfer(amount: amount), in: state(exchangeUSD: spent))
        #expect((overDecision.reason == .deniedByRule("r")) == !holds)
    }

    @Test func limitsAreKeptPerCounterparty() throws {
        let policy = try Self.single("{destination: {tags: [exchange]}, within: [exchange-daily]}")
        // Kraken's window is full; Binance's is not, and kraken-btc shares Kraken's key.
        let s = state(exchangeUSD: "1000000")
        #expect(policy.evaluate(Fixtures.transfer(amount: "1", to: Fixtures.kraken), in: s).outcome == .deny)
        #expect(policy.evaluate(Fixtures.transfer(amount: "1", to: Fixtures.binance), in: s).outcome == .allow)
        let btc = Fixtures.transfer(amount: "0.0001", asset: "BTC", chain: "bitcoin", to: "bc1qkraken")
        #expect(policy.evaluate(btc, in: s).outcome == .deny)
    }

    @Test(arguments: [(0, true), (2, true), (3, false)])
    func countLimits(already: Int, holds: Bool) throws {
        let policy = try Self.single("{initiator: {kind: bot}, within: [bot-hourly]}")
        let decision = policy.evaluate(Fixtures.transfer("bot"), in: state(exchangeUSD: "0", botCount: already))
        #expect((decision.outcome == .allow) == holds)
    }

    // MARK: - Precedence and defaults

    static let precedence = """
          - name: allow-exchange
            match: {destination: {tags: [exchange]}}
            outcome: allow
          - name: require-big
            match: {amount_usd: {over: 1000}}
            outcome: {require: {group: treasury, count: 1}}
          - name: deny-huge
            match: {amount_usd: {over: 100000}}
            outcome: deny

        """

    @Test(arguments: [
        ("10", PolicyDecision.Outcome.allow, PolicyDecision.Reason.allowedByRule("allow-exchange")),
        ("5000", .needsApprovals, .approvalsPending),
        ("500000", .deny, .deniedByRule("deny-huge")),
    ])
    func denyBeatsRequireBeatsAllow(amount: String, outcome: PolicyDecision.Outcome, reason: PolicyDecision.Reason) throws {
        let policy = try Fixtures.policy(rules: Self.precedence)
        let decision = policy.evaluate(Fixtures.transfer(amount: amount), in: Fixtures.state())
        #expect(decision.outcome == outcome)
        #expect(decision.reason == reason)
    }

    @Test func nothingMatchedMeansDeny() throws {
        let policy = try Fixtures.policy(rules: Self.precedence)
        let decision = policy.evaluate(Fixtures.transfer(amount: "10", to: Fixtures.coldWallet), in: Fixtures.state())
        #expect(decision.outcome == .deny)
        #expect(decision.reason == .noRuleMatched)
        #expect(decision.applied.isEmpty)
    }

    @Test func requireAloneNeverAllows() throws {
        // Only the require rule matches (no allow): deny, even with every approval present.
        let policy = try Fixtures.policy(rules: Self.precedence)
        let decision = policy.evaluate(
            Fixtures.transfer(amount: "5000", to: Fixtures.coldWallet, approvals: ["bob", "carol"]), in: Fixtures.state())
        #expect(decision.outcome == .deny)
        #expect(decision.reason == .noRuleMatched)
        #expect(decision.applied.map(\.name) == ["require-big"])
    }

    @Test func unknownInitiatorIsDenied() throws {
        let policy = try Fixtures.policy(rules: Self.precedence)
        let decision = policy.evaluate(Fixtures.transfer("mallory"), in: Fixtures.state())
        #expect(decision.outcome == .deny)
        #expect(decision.reason == .unknownInitiator)
    }

    @Test func frozenDeniesEverythingButGovernance() throws {
        let policy = try Fixtures.policy(rules: Self.precedence)
        let frozen = Fixtures.state(frozen: true)
        #expect(policy.evaluate(Fixtures.transfer(amount: "1"), in: frozen).reason == .frozen)
        let unfreeze = PolicyRequest(kind: .governance, initiator: "erin", operation: .init(.unfreeze), approvals: ["frank", "grace"])
        #expect(policy.evaluate(unfreeze, in: frozen).outcome == .allow)
    }

    // MARK: - Fail closed

    static let failClosed = """
          - name: allow-exchange-small
            match: {destination: {tags: [exchange]}, amount_usd: {up_to: 1000}}
            outcome: allow
          - name: allow-exchange-cel
            match: {destination: {tags: [exchange]}}
            when: request.amount_usd < 1000
            outcome: allow
          - name: deny-large
            match: {destination: {tags: [exchange]}, amount_usd: {over: 50000}}
            outcome: deny
          - name: deny-cel
            match: {destination: {tags: [exchange]}}
            when: request.amount_usd / 0 > 1
            outcome: deny
          - name: require-window
            match: {destination: {tags: [exchange]}, exceeds: [exchange-daily]}
            outcome: {require: {group: risk, count: 1}}

        """

    @Test func missingPriceFailsClosed() throws {
        let policy = try Fixtures.policy(rules: Self.failClosed)
        let decision = policy.evaluate(Fixtures.transfer(amount: "1"), in: Fixtures.state(prices: [:]))
        #expect(decision.outcome == .deny)
        #expect(decision.reason == .deniedByRule("deny-large"))
        let closed = Set(decision.applied.filter { $0.failedClosed != nil }.map(\.name))
        #expect(closed == ["deny-large", "deny-cel", "require-window"])
        #expect(Set(decision.skippedAllows.map(\.name)) == ["allow-exchange-small", "allow-exchange-cel"])
    }

    @Test func conditionErrorAppliesDenyButNotAllow() throws {
        let policy = try Fixtures.policy(rules: """
              - name: allow-cel
                match: {destination: {tags: [exchange]}}
                when: request.call.function == 'x' || request.amount < 1000
                outcome: allow
              - name: allow-plain
                match: {destination: {entries: [binance]}}
                outcome: allow
              - name: deny-cel
                match: {destination: {entries: [kraken]}}
                when: request.call.args.spender == 'x'
                outcome: deny

            """)
        // kraken: allow-cel is true (|| absorbs the error) but deny-cel errors and applies.
        let kraken = policy.evaluate(Fixtures.transfer(amount: "1", to: Fixtures.kraken), in: Fixtures.state())
        #expect(kraken.outcome == .deny)
        #expect(kraken.applied.first { $0.name == "deny-cel" }?.failedClosed?.contains("not a contract call") == true)
        // binance: the erroring deny rule does not match its destination, so it never applies.
        let binance = policy.evaluate(Fixtures.transfer(amount: "5000", to: Fixtures.binance), in: Fixtures.state())
        #expect(binance.outcome == .allow)
        #expect(binance.reason == .allowedByRule("allow-plain"))
        #expect(binance.skippedAllows.map(\.name) == ["allow-cel"])
    }

    @Test func oversizedApprovalFailsClosed() throws {
        let policy = try Fixtures.policy(rules: """
              - name: allow-approve
                match: {call: {functions: [approve]}}
                outcome: allow
              - name: deny-unlimited
                match: {call: {functions: [approve]}}
                when: request.call.amounts.amount > 1000000
                outcome: deny

            """)
        let unlimited = Self.callRequest(function: "approve", amount: String(repeating: "9", count: 78))
        let decision = policy.evaluate(unlimited, in: Fixtures.state())
        #expect(decision.outcome == .deny)
        #expect(decision.applied.first { $0.name == "deny-unlimited" }?.failedClosed != nil)
        #expect(policy.evaluate(Self.callRequest(function: "approve", amount: "5"), in: Fixtures.state()).outcome == .allow)
    }

    @Test func overflowingNotionalFailsClosed() throws {
        let policy = try Fixtures.policy(rules: Self.failClosed)
        var s = Fixtures.state()
        s.prices["USDC"] = FixedDecimal(parsing: "100000000000000000000")!
        let decision = policy.evaluate(Fixtures.transfer(amount: "100000000000"), in: s)
        #expect(decision.outcome == .deny)
        #expect(decision.applied.contains { $0.failedClosed?.contains("overflows") == true })
    }

    @Test func evaluationIsDeterministic() throws {
        let policy = try Fixtures.policy(rules: Self.failClosed)
        let request = Fixtures.transfer(amount: "700")
        let first = policy.evaluate(request, in: Fixtures.state())
        for _ in 0..<100 { #expect(policy.evaluate(request, in: Fixtures.state()) == first) }
    }
}

/// Rolling-window totals derived from history, keyed as evaluation keys them.
@Suite struct WindowTotalsTests {
    @Test func windowsSlideAndAreKeyedPerLimit() throws {
        let policy = try Fixtures.policy(rules: "  - name: r\n    match: {destination: {tags: [exchange]}, within: [exchange-daily]}\n    outcome: allow\n")
        let now = Fixtures.tuesdayMorning
        let history = [
            PastTransfer(time: now - 25 * 3600, request: Fixtures.transfer("bot", to: Fixtures.kraken), usd: FixedDecimal(500_000)!),
            PastTransfer(time: now - 23 * 3600, request: Fixtures.transfer("bot", to: Fixtures.kraken), usd: FixedDecimal(400_000)!),
            PastTransfer(time: now - 30 * 60, request: Fixtures.transfer("bot", chain: "bitcoin", to: "bc1qkraken"), usd: FixedDecimal(300_000)!),
            PastTransfer(time: now - 10 * 60, request: Fixtures.transfer("alice", to: Fixtures.binance), usd: FixedDecimal(50_000)!),
            PastTransfer(time: now + 60, request: Fixtures.transfer("bot", to: Fixtures.kraken), usd: FixedDecimal(1)!),  // future: ignored
        ]
        let totals = policy.windowTotals(history: history, at: now)
        // Kraken on both chains shares one counterparty key; the 25 h old transfer has left the window.
        #expect(totals["exchange-daily", "kraken"] == .init(usd: FixedDecimal(700_000)!, count: 2))
        #expect(totals["exchange-daily", "binance"] == .init(usd: FixedDecimal(50_000)!, count: 1))
        // bot-hourly is per initiator over 1 h: only the bitcoin transfer 30 min ago.
        #expect(totals["bot-hourly", "bot"].count == 1)
        #expect(totals["bot-hourly", "alice"].count == 1)

        var state = Fixtures.state()
        state.windows = totals
        #expect(policy.evaluate(Fixtures.transfer(amount: "300000", to: Fixtures.kraken), in: state).outcome == .allow)
        #expect(policy.evaluate(Fixtures.transfer(amount: "300001", to: Fixtures.kraken), in: state).outcome == .deny)
    }

    /// A view with some totals replaced reads them in place of the originals, leaves the original
    /// alone, compares as the totals it shows, and writes through correctly.
    @Test func aViewWithReplacedTotalsReadsComparesAndWritesAsItsContent() {
        var base = WindowTotals()
        base["daily", "kraken"] = .init(usd: FixedDecimal(700)!, count: 2)
        base["daily", "binance"] = .init(usd: FixedDecimal(50)!, count: 1)
        base["hourly", "bot"] = .init(usd: FixedDecimal(5)!, count: 1)
        var view = base.replacing([("daily", "kraken", .init(usd: FixedDecimal(500)!, count: 1)), ("hourly", "bot", .zero)])
        #expect(view["daily", "kraken"] == .init(usd: FixedDecimal(500)!, count: 1) && base["daily", "kraken"].count == 2)
        #expect(view.totals(of: "hourly").isEmpty && view["hourly", "bot"] == .zero && base["hourly", "bot"].count == 1)
        var expected = WindowTotals()
        expected["daily", "kraken"] = .init(usd: FixedDecimal(500)!, count: 1)
        expected["daily", "binance"] = .init(usd: FixedDecimal(50)!, count: 1)
        #expect(view == expected && view.hashValue == expected.hashValue && view != base)
        view["daily", "binance"] = .zero
        expected["daily", "binance"] = .zero
        #expect(view == expected && view.totals(of: "daily") == ["kraken": .init(usd: FixedDecimal(500)!, count: 1)])
        #expect(view["daily", "kraken"].count == 1, "a write keeps the replaced totals")
    }

    /// A policy with a limit kept per destination (1 h, at most 1,000 USD) and one kept per
    /// source vault (24 h, at most two transfers), each the only way to an allow.
    static func scopedPolicy(within limit: String) throws -> CompiledPolicy {
        let limits = """
              bot-hourly: {per: initiator, window: 1h, max_count: 3}
              destination-hourly: {per: destination, window: 1h, max_usd: 1_000}
              vault-daily: {per: vault, window: 24h, max_count: 2}

            """
        let header = Fixtures.header.replacing("  bot-hourly: {per: initiator, window: 1h, max_count: 3}\n", with: limits)
        return try CompiledPolicy(yaml: header + Fixtures.governance + """
            rules:
              - name: r
                match: {destination: {tags: [exchange]}, within: [\(limit)]}
                outcome: allow

            """)
    }

    /// `usd` spent by `request`, `minutesAgo` before Tuesday morning.
    static func spent(_ usd: Int, minutesAgo: Int64, _ request: PolicyRequest) -> PastTransfer {
        PastTransfer(time: Fixtures.tuesdayMorning - minutesAgo * 60, request: request, usd: FixedDecimal(usd)!)
    }

    /// Per destination means per address-book entry: Kraken on Ethereum and Kraken on Bitcoin
    /// share a counterparty but not a destination window; a transfer older than the window
    /// no longer counts.
    @Test func aWindowPerDestinationCountsEachDestinationApart() throws {
        let policy = try Self.scopedPolicy(within: "destination-hourly")
        let now = Fixtures.tuesdayMorning
        let history = [
            Self.spent(10_000, minutesAgo: 120, Fixtures.transfer("bob", to: Fixtures.kraken)),
            Self.spent(900, minutesAgo: 30, Fixtures.transfer("bot", to: Fixtures.kraken)),
            Self.spent(500, minutesAgo: 20, Fixtures.transfer("bot", chain: "bitcoin", to: "bc1qkraken")),
            Self.spent(100, minutesAgo: 10, Fixtures.transfer("alice", to: Fixtures.binance)),
        ]
        let totals = policy.windowTotals(history: history, at: now)
        #expect(totals["destination-hourly", "kraken"] == .init(usd: FixedDecimal(900)!, count: 1))
        #expect(totals["destination-hourly", "kraken-btc"] == .init(usd: FixedDecimal(500)!, count: 1))
        #expect(totals["destination-hourly", "binance"] == .init(usd: FixedDecimal(100)!, count: 1))

        var state = Fixtures.state()
        state.windows = totals
        // Up to the limit is allowed, one cent over is not; each destination's room is its own.
        #expect(policy.evaluate(Fixtures.transfer(amount: "100", to: Fixtures.kraken), in: state).outcome == .allow)
        #expect(policy.evaluate(Fixtures.transfer(amount: "100.01", to: Fixtures.kraken), in: state).outcome == .deny)
        #expect(policy.evaluate(Fixtures.transfer(amount: "900", to: Fixtures.binance), in: state).outcome == .allow)
        #expect(policy.evaluate(Fixtures.transfer(amount: "900.01", to: Fixtures.binance), in: state).outcome == .deny)
    }

    /// Per vault means per source vault, whoever initiates and wherever the funds go.
    @Test func aWindowPerVaultCountsEachVaultApart() throws {
        let policy = try Self.scopedPolicy(within: "vault-daily")
        let now = Fixtures.tuesdayMorning
        let history = [
            Self.spent(1, minutesAgo: 25 * 60, Fixtures.transfer("bob", vault: "hot")),
            Self.spent(1, minutesAgo: 5 * 60, Fixtures.transfer("alice", to: Fixtures.kraken, vault: "hot")),
            Self.spent(1, minutesAgo: 60, Fixtures.transfer("bot", to: Fixtures.binance, vault: "hot")),
            Self.spent(1, minutesAgo: 60, Fixtures.transfer("bot", to: Fixtures.binance, vault: "cold")),
        ]
        let totals = policy.windowTotals(history: history, at: now)
        #expect(totals["vault-daily", "hot"].count == 2)
        #expect(totals["vault-daily", "cold"].count == 1)

        var state = Fixtures.state()
        state.windows = totals
        #expect(policy.evaluate(Fixtures.transfer("carol", to: Fixtures.kraken, vault: "hot"), in: state).outcome == .deny)
        #expect(policy.evaluate(Fixtures.transfer("carol", to: Fixtures.kraken, vault: "cold"), in: state).outcome == .allow)
        // A day later the hot vault's window has emptied.
        let later = now + 24 * 3600
        var tomorrow = Fixtures.state(time: later)
        tomorrow.windows = policy.windowTotals(history: history, at: later)
        #expect(tomorrow.windows["vault-daily", "hot"].count == 0)
        #expect(policy.evaluate(Fixtures.transfer("carol", to: Fixtures.kraken, vault: "hot"), in: tomorrow).outcome == .allow)
    }

    @Test func overlongListsInConditionsFailClosed() throws {
        let policy = try Fixtures.policy(rules: """
              - name: allow-exchange
                match: {destination: {tags: [exchange]}}
                outcome: allow
              - name: deny-if-bot-approved
                match: {destination: {tags: [exchange]}}
                when: request.approvals.exists(a, a == 'bot')
                outcome: deny

            """)
        let short = Fixtures.transfer(approvals: ["bob"])
        #expect(policy.evaluate(short, in: Fixtures.state()).outcome == .allow)
        let long = Fixtures.transfer(approvals: Array(repeating: "bob", count: 5_000))
        let decision = policy.evaluate(long, in: Fixtures.state())
        #expect(decision.outcome == .deny)
        #expect(decision.applied.first { $0.name == "deny-if-bot-approved" }?.failedClosed?.contains("too long") == true)
    }
}

@Suite struct MalformedRequestTests {
    @Test func negativeAmountsAreDenied() throws {
        let policy = try EvaluationTests.single("{amount: {up_to: 100}}")
        var r = Fixtures.transfer()
        r.amount = FixedDecimal(-5)!
        #expect(policy.evaluate(r, in: Fixtures.state()).reason == .invalidRequest("negative amount or fee"))
        r.amount = FixedDecimal(5)!
        r.fee = FixedDecimal(-1)!
        #expect(policy.evaluate(r, in: Fixtures.state()).outcome == .deny)
    }

    @Test func governancePrefixIsReserved() {
        let text = Fixtures.yaml(rules: "  - name: governance.freeze\n    outcome: deny\n")
        #expect(Fixtures.errors(text).contains { $0.code == .invalidValue && $0.message.contains("reserved") })
    }

    /// A duration's count is bounded before it is multiplied: a huge one is refused with its
    /// reason, never an overflow (a trap would stop every node validating a proposal that holds it).
    @Test func aHugeDurationIsRefusedNotOverflowed() throws {
        let base = try Fixtures.examplePolicyText()
        #expect(base.contains("window: 24h"))
        for huge in ["1000000000000000d", "9223372036854775807s", "3074457345618258h", "153722867280912931m"] {
            let text = base.replacingOccurrences(of: "window: 24h", with: "window: \(huge)")
            #expect(Fixtures.errors(text).contains { $0.code == .invalidValue && $0.message.contains("at most 366 days") }, "\(huge)")
        }
    }
}
