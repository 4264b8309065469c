import CustosCore
import CustosPolicy
import CustosTestSupport
import Testing

/// Random policies over the fixture cast and random requests and snapshots.
struct PolicyGenerator {
    var rng: SeededGenerator

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func subset(_ items: [String]) -> [String] {
        let s = items.filter { _ in chance(0.4) }
        return s.isEmpty ? [pick(items)] : s
    }

    static let conditions = [
        "request.amount > 5", "request.memo.startsWith('OTC-')", "'exchange' in request.destination.tags",
        "request.call.function == 'approve'",                 // errors on transfers: exercises fail-closed
        "request.amount_usd / request.amount > 100",          // errors when no price or amount 0
        "request.destination.tags.exists(t, t == 'internal')", "time.hour >= 9 && time.hour < 17",
        "size(request.approvals) > 1", "request.initiator_kind == 'bot' || request.fee < 0.01",
    ]

    mutating func match() -> String {
        var clauses: [String] = []
        if chance(0.3) {
            if chance(0.5) {
                clauses.append("initiator: {roles: [\(subset(["treasury", "risk", "admin", "trading-bot"]).joined(separator: ", "))]}")
            } else {
                clauses.append("initiator: {kind: \(pick(["person", "bot"]))}")
            }
        }
        if chance(0.25) { clauses.append("vault: [\(subset(["hot", "cold"]).joined(separator: ", "))]") }
        if chance(0.2) { clauses.append("chain: [\(pick(["ethereum", "bitcoin"]))]") }
        if chance(0.25) { clauses.append("asset: [\(subset(["ETH", "USDC", "BTC"]).joined(separator: ", "))]") }
        if chance(0.5) {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: clauses.append("destination: {tags: [\(subset(["exchange", "internal", "defi"]).joined(separator: ", "))]}")
            case 1: clauses.append("destination: {entries: [\(subset(["kraken", "binance", "cold-wallet"]).joined(separator: ", "))]}")
            case 2: clauses.append("destination: {known: \(chance(0.5))}")
            default: clauses.append("destination: {counterparties: [\(pick(["kraken", "binance"]))]}")
            }
        }
        if chance(0.3) { clauses.append("amount: {\(pick(["over", "up_to", "under", "at_least"])): \(pick(["1", "10", "100"]))}") }
        if chance(0.3) { clauses.append("amount_usd: {\(pick(["over", "up_to"])): \(pick(["1000", "50000", "500000"]))}") }
        if chance(0.15) { clauses.append("fee: {over: 0.01}") }
        if chance(0.15) { clauses.append("within: [\(pick(["exchange-daily", "bot-hourly"]))]") }
        if chance(0.1) { clauses.append("exceeds: [\(pick(["exchange-daily", "bot-hourly"]))]") }
        if chance(0.1) { clauses.append("during: {zone: UTC, days: [mon, tue, wed], hours: '08:00-18:00'}") }
        return "{" + clauses.joined(separator: ", ") + "}"
    }

    mutating func outcome(_ kind: Int) -> String {
        switch kind {
        case 0: return "allow"
        case 1: return "deny"
        default:
            if chance(0.5) { return "{require: {group: \(pick(["treasury", "risk", "admins"])), count: 1}}" }
            return "{require: {all: [{group: treasury, count: 1}, {group: \(pick(["risk", "admins", "security"])), count: 1}]}}"
        }
    }

    mutating func rule(named name: String, outcomeKind: Int? = nil) -> String {
        var text = "  - name: \(name)\n    match: \(match())\n"
        if chance(0.25) { text += "    when: \"\(pick(Self.conditions))\"\n" }
        text += "    outcome: \(outcome(outcomeKind ?? Int.random(in: 0..<3, using: &rng)))\n"
        return text
    }

    mutating func rules(count: Int) -> [String] {
        (0..<count).map { rule(named: "r\($0)", outcomeKind: $0 == 0 ? 0 : nil) }
    }

    mutating func request() -> PolicyRequest {
        let chain = pick(["ethereum", "ethereum", "bitcoin"])
        let destination = pick([Fixtures.kraken, Fixtures.binance, Fixtures.coldWallet, Fixtures.router, Fixtures.stranger, "bc1qkraken"])
        let people = ["alice", "bob", "carol", "dan", "erin", "frank", "grace", "bot"]
        return Fixtures.transfer(
            pick(people + ["mallory"]), amount: pick(["0", "0.5", "5", "50", "500", "5000"]),
            asset: pick(["ETH", "USDC", "BTC"]), chain: chain, to: destination, vault: pick(["hot", "cold"]),
            fee: pick(["0.001", "0.02"]), approvals: people.filter { _ in chance(0.3) }, memo: pick(["", "OTC-7"]))
    }

    mutating func state() -> StateSnapshot {
        var prices = ["ETH": "3000", "USDC": "1", "BTC": "90000"]
        if chance(0.2) { prices.removeValue(forKey: pick(["ETH", "USDC", "BTC"])) }
        var s = Fixtures.state(time: Fixtures.tuesdayMorning + Int64.random(in: 0..<(7 * 86_400), using: &rng), prices: prices)
        s.windows["exchange-daily", "kraken"] = .init(usd: FixedDecimal(Int.random(in: 0...1_200_000, using: &rng))!, count: 1)
        s.windows["bot-hourly", "bot"] = .init(usd: .zero, count: Int.random(in: 0...4, using: &rng))
        return s
    }
}

/// Properties over generated policies and requests: rule order never changes a decision; adding
/// a deny or require rule never makes any decision more permissive; removing an allow rule
/// never does either.
@Suite struct PropertyTests {
    static let seeds: [UInt64] = Array(1...40)

    static func permissiveness(_ d: PolicyDecision) -> Int {
        switch d.outcome {
        case .deny: return 0
        case .needsApprovals: return 1
        case .allow: return 2
        }
    }

    static func compile(_ rules: [String]) throws -> CompiledPolicy {
        try Fixtures.policy(rules: rules.isEmpty ? "  []\n" : rules.joined())
    }

    /// Rule order is irrelevant: same outcome, same applied rules, same pending approvals.
    @Test(arguments: seeds)
    func ruleOrderNeverChangesTheDecision(seed: UInt64) throws {
        var g = PolicyGenerator(rng: SeededGenerator(seed: seed))
        let rules = g.rules(count: Int.random(in: 2...12, using: &g.rng))
        let policy = try Self.compile(rules)
        var shuffledRules = rules
        shuffledRules.shuffle(using: &g.rng)
        let shuffled = try Self.compile(shuffledRules)
        let reversed = try Self.compile(rules.reversed())
        for _ in 0..<60 {
            let request = g.request()
            let state = g.state()
            let a = policy.evaluate(request, in: state)
            for other in [shuffled, reversed] {
                let b = other.evaluate(request, in: state)
                #expect(a.outcome == b.outcome, "seed \(seed): \(request) \(a.reason) vs \(b.reason)")
                #expect(Set(a.applied.map(\.name)) == Set(b.applied.map(\.name)))
                #expect(Set(a.pending) == Set(b.pending))
            }
        }
    }

    @Test(arguments: seeds)
    func addingDenyOrRequireNeverLoosens(seed: UInt64) throws {
        var g = PolicyGenerator(rng: SeededGenerator(seed: seed ^ 0xD15EA5E))
        let rules = g.rules(count: Int.random(in: 1...10, using: &g.rng))
        let policy = try Self.compile(rules)
        var extended: [CompiledPolicy] = []
        for i in 0..<3 {
            extended.append(try Self.compile(rules + [g.rule(named: "extra\(i)", outcomeKind: Int.random(in: 1...2, using: &g.rng))]))
        }
        for _ in 0..<60 {
            let request = g.request()
            let state = g.state()
            let before = Self.permissiveness(policy.evaluate(request, in: state))
            for p in extended {
                let after = p.evaluate(request, in: state)
                #expect(Self.permissiveness(after) <= before, "seed \(seed): \(request) → \(after.reason)")
            }
        }
    }

    @Test(arguments: seeds)
    func removingAllowNeverLoosens(seed: UInt64) throws {
        var g = PolicyGenerator(rng: SeededGenerator(seed: seed ^ 0xA110))
        let rules = g.rules(count: Int.random(in: 1...10, using: &g.rng))
        let policy = try Self.compile(rules)
        let allowIndices = rules.indices.filter { rules[$0].hasSuffix("outcome: allow\n") }
        let reduced = try allowIndices.map { i in
            var r = rules
            r.remove(at: i)
            return try Self.compile(r)
        }
        for _ in 0..<60 {
            let request = g.request()
            let state = g.state()
            let before = Self.permissiveness(policy.evaluate(request, in: state))
            for p in reduced {
                #expect(Self.permissiveness(p.evaluate(request, in: state)) <= before, "seed \(seed)")
            }
        }
    }

    /// The generator is not degenerate: across all seeds every outcome occurs.
    @Test func generatorCoversEveryOutcome() throws {
        var seen: Set<PolicyDecision.Outcome> = []
        var failedClosed = false
        for seed in Self.seeds {
            var g = PolicyGenerator(rng: SeededGenerator(seed: seed))
            let policy = try Self.compile(g.rules(count: 8))
            for _ in 0..<40 {
                let d = policy.evaluate(g.request(), in: g.state())
                seen.insert(d.outcome)
                if d.applied.contains(where: { $0.failedClosed != nil }) || !d.skippedAllows.isEmpty { failedClosed = true }
            }
        }
        #expect(seen == [.allow, .deny, .needsApprovals])
        #expect(failedClosed)
    }
}
