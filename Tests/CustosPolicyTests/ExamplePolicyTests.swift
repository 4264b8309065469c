import CustosCore
import CustosPolicy
import Foundation
import Testing

/// The example trading-firm policy: it loads cleanly, and its decisions and explanations on
/// typical requests are what the firm intends.
@Suite struct ExamplePolicyTests {
    static let policy = try! CompiledPolicy(yaml: Fixtures.examplePolicyText())

    static let kraken = "0x2e6d88f471c41bd6dc54146e5eea659498ccba8f"
    static let coinbase = "0xe2cce8518dcd3da81faa46d34bc53e569c7b21ac"
    static let binance = "0xc073e6b0bf831b12a8c7f6b5b196d2fad4d572d8"
    static let wintermute = "0x02f97e64f4827ab6ed553714ce2255b9b30fb479"
    static let coldETH = "0x3f5fdf62032b500cad1e9167aeb0a91d574d5e88"
    static let hotETH = "0x0f17c8226aa33959cf059efac53989db221030b9"
    static let tornado = "0xdad6b037f4234db45ece56453f453866f82d5640"
    static let usdcToken = "0x0abe23a52efa7614ca4f33e89f3b823169de9085"
    static let uniswap = "0x0a9a15d91832ac6562b81934c847b8a31ad187b5"
    static let stranger = "0x5555555555555555555555555555555555555555"

    /// Tuesday 2026-11-17 14:05 UTC, with Kraken's 24 h window at 4.5M USD.
    static func state(krakenSpent: String = "4500000", time: Int64 = Fixtures.tuesdayMorning + 4 * 3600 + 300) -> StateSnapshot {
        var s = StateSnapshot(
            time: time,
            prices: ["ETH": FixedDecimal(3200)!, "USDC": FixedDecimal(1)!, "USDT": FixedDecimal(1)!, "BTC": FixedDecimal(91_000)!,
                     "SOL": FixedDecimal(140)!])
        s.windows["exchange-daily-usd", "kraken"] = .init(usd: FixedDecimal(parsing: krakenSpent)!, count: 9)
        s.windows["risk-bot-hourly", "risk-bot"] = .init(usd: FixedDecimal(300_000)!, count: 4)
        return s
    }

    static func send(
        _ initiator: String, _ amount: String, _ asset: String = "USDC", to destination: String, vault: String = "hot-trading",
        chain: String = "ethereum", fee: String = "0.004", approvals: [String] = [], memo: String = ""
    ) -> PolicyRequest {
        PolicyRequest(
            id: "x", initiator: initiator, vault: vault, chain: chain, asset: asset, amount: FixedDecimal(parsing: amount)!,
            fee: FixedDecimal(parsing: fee)!, destination: destination, memo: memo, approvals: approvals)
    }

    @Test func loadsCleanlyWithAboutFiftyRules() {
        #expect(Self.policy.warnings.isEmpty, "\(Self.policy.warnings)")
        #expect(Self.policy.document.rules.count >= 50)
        #expect(PolicyValidation(yaml: try! Fixtures.examplePolicyText()).isValid)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let request: PolicyRequest
        let state: StateSnapshot
        let outcome: PolicyDecision.Outcome
        let reason: PolicyDecision.Reason
        let explanation: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "risk bot tops up Kraken within limits", request: send("risk-bot", "400000", to: kraken), state: state(),
             outcome: .allow, reason: .allowedByRule("allow-risk-bot-exchange-topups"),
             explanation: ["ALLOW: rule allow-risk-bot-exchange-topups allows this request",
                           "limit exchange-daily-usd: 24h total for counterparty kraken would be 4,900,000 USD ≤ limit 5,000,000 USD"]),
        Case(name: "risk bot over Kraken's daily limit is stopped", request: send("risk-bot", "750000", to: kraken), state: state(),
             outcome: .deny, reason: .noRuleMatched,
             explanation: ["24h total for counterparty kraken would be 5,250,000 USD > limit 5,000,000 USD",
                           "rule allow-risk-bot-exchange-topups (allow) did not match only because limit exchange-daily-usd: 24h total for counterparty kraken would be 5,250,000 USD > limit 5,000,000 USD"]),
        Case(name: "checksummed address is the same destination", request: send("risk-bot", "100", to: "0x2E6D88F471C41BD6DC54146E5EEA659498CCBA8F"),
             state: state(), outcome: .allow, reason: .allowedByRule("allow-risk-bot-exchange-topups"), explanation: []),
        Case(name: "treasury past the daily limit needs 6 eyes", request: send("bob", "750000", to: kraken, approvals: ["carol"]),
             state: state(), outcome: .needsApprovals, reason: .approvalsPending,
             explanation: ["NEEDS APPROVALS", "still needed for rule require-exchange-over-daily: 1 more approval from group risk (members: carol, dan)",
                           "approvals counted: carol"]),
        Case(name: "treasury past the daily limit with 6 eyes", request: send("bob", "750000", to: kraken, approvals: ["alice", "dan"]),
             state: state(), outcome: .allow, reason: .approved, explanation: ["ALLOW: every required approval is present"]),
        Case(name: "trader small exchange transfer is automatic", request: send("ivan", "100000", to: coinbase), state: state(),
             outcome: .allow, reason: .allowedByRule("allow-people-exchange"), explanation: []),
        Case(name: "trader medium transfer needs 4 eyes", request: send("ivan", "400000", to: coinbase), state: state(),
             outcome: .needsApprovals, reason: .approvalsPending,
             explanation: ["rule require-exchange-medium (require 1 of treasury) applies", "USD notional 400,000 is > 250,000 and ≤ 5,000,000"]),
        Case(name: "initiator cannot approve their own transfer", request: send("alice", "400000", to: coinbase, approvals: ["alice"]),
             state: state(), outcome: .needsApprovals, reason: .approvalsPending,
             explanation: ["approvals not counted (initiator, bot, unknown or repeated): alice"]),
        Case(name: "sanctioned destination is always denied", request: send("bob", "1", to: tornado, approvals: ["alice", "carol", "dan"]),
             state: state(), outcome: .deny, reason: .deniedByRule("deny-sanctioned-destination"), explanation: ["DENY: rule deny-sanctioned-destination"]),
        Case(name: "bot to an unknown address is denied", request: send("risk-bot", "10", to: stranger), state: state(),
             outcome: .deny, reason: .deniedByRule("deny-bots-to-unknown"), explanation: []),
        Case(name: "treasury to a new address needs treasury and compliance", request: send("bob", "5000", to: stranger, approvals: ["alice"]),
             state: state(), outcome: .needsApprovals, reason: .approvalsPending,
             explanation: ["1 more approval from group compliance (members: grace, judy)"]),
        Case(name: "cold storage release needs treasury and security", request: send("bob", "30000000", "USDC", to: hotETH, vault: "cold-storage", approvals: ["alice", "heidi"]),
             state: state(), outcome: .needsApprovals, reason: .approvalsPending,
             explanation: ["require-cold-large", "require-internal-large"]),
        Case(name: "cold storage release with everyone", request: send("bob", "30000000", "USDC", to: hotETH, vault: "cold-storage", approvals: ["alice", "carol", "heidi", "kim"]),
             state: state(), outcome: .allow, reason: .approved, explanation: []),
        Case(name: "cold storage never pays an exchange", request: send("bob", "10", to: kraken, vault: "cold-storage", approvals: ["alice", "heidi"]),
             state: state(), outcome: .deny, reason: .deniedByRule("deny-cold-to-exchange"), explanation: []),
        Case(name: "ethereum fee above 0.5 ETH is denied", request: send("risk-bot", "10", to: kraken, fee: "0.6"), state: state(),
             outcome: .deny, reason: .deniedByRule("deny-fee-ethereum"), explanation: ["fee 0.6 is > 0.5"]),
        Case(name: "OTC settlement without a ticket is denied", request: send("bob", "1000000", to: wintermute, vault: "otc-settlement", approvals: ["alice"]),
             state: state(), outcome: .deny, reason: .deniedByRule("deny-otc-without-ticket"), explanation: []),
        Case(name: "OTC settlement with a ticket needs 4 eyes", request: send("bob", "1000000", to: wintermute, vault: "otc-settlement", approvals: ["alice"], memo: "OTC-2291"),
             state: state(), outcome: .allow, reason: .approved, explanation: []),
        Case(name: "OTC desks are closed on Saturday", request: send("bob", "1000000", to: wintermute, vault: "otc-settlement", approvals: ["alice"], memo: "OTC-2291"),
             state: state(time: Fixtures.tuesdayMorning + 4 * 86_400), outcome: .deny, reason: .deniedByRule("deny-otc-weekend"),
             explanation: ["time sat 10:00 (UTC) is inside sat,sun 00:00-24:00"]),
        Case(name: "missing price: allow skipped, deny-style rules fail closed", request: send("risk-bot", "10", "WBTC", to: kraken),
             state: state(), outcome: .deny, reason: .deniedByRule("deny-firm-daily-outflow"),
             explanation: ["rule deny-firm-daily-outflow (deny) applies, failing closed because a clause could not be evaluated: limit firm-daily-outflow: no USD price for WBTC in the state"]),
        Case(name: "non-tier-1 exchange above 2M is denied", request: send("bob", "2500000", to: binance, approvals: ["alice"]),
             state: state(), outcome: .deny, reason: .deniedByRule("deny-non-tier1-large"), explanation: []),
    ]

    @Test(arguments: cases)
    func decides(_ c: Case) {
        let explanation = Self.policy.explain(c.request, in: c.state)
        #expect(explanation.decision.outcome == c.outcome, "\(c.name):\n\(explanation.text)")
        #expect(explanation.decision.reason == c.reason, "\(c.name):\n\(explanation.text)")
        #expect(Self.policy.evaluate(c.request, in: c.state) == explanation.decision)
        for fragment in c.explanation {
            #expect(explanation.text.contains(fragment), "\(c.name): missing '\(fragment)' in\n\(explanation.text)")
        }
    }

    @Test func unlimitedApprovalFailsClosed() {
        var r = Self.send("rebalancer", "0", "ETH", to: Self.usdcToken, vault: "defi")
        r.kind = .contractCall
        r.call = .init(target: Self.usdcToken, function: "approve", arguments: ["spender": Self.uniswap], oversizedAmounts: ["amount"])
        let e = Self.policy.explain(r, in: Self.state())
        #expect(e.decision.outcome == .deny)
        #expect(e.decision.reason == .deniedByRule("deny-unlimited-approval"))
        #expect(e.text.contains("too large to compare"))
        // A bounded approval to a DeFi spender is routine for the rebalancer.
        r.call = .init(target: Self.usdcToken, function: "approve", arguments: ["spender": Self.uniswap], amounts: ["amount": FixedDecimal(50_000)!])
        #expect(Self.policy.evaluate(r, in: Self.state()).reason == .allowedByRule("allow-rebalancer-approve-defi"))
        // Approving a sanctioned spender is denied.
        r.call = .init(target: Self.usdcToken, function: "approve", arguments: ["spender": Self.tornado], amounts: ["amount": FixedDecimal(5)!])
        #expect(Self.policy.evaluate(r, in: Self.state()).reason == .deniedByRule("deny-sanctioned-spender"))
    }

    /// A bot or person calling the USDC contract instead of asking for a transfer meets the same
    /// hard stops and limits: the chain layer reports the token, the amount and the recipient.
    @Test func tokenCallsMeetTheHardStopsAndLimitsOfTransfers() {
        func call(_ initiator: String, _ function: String, _ amount: String, to recipient: String, vault: String = "hot-trading") -> PolicyRequest {
            var r = Self.send(initiator, amount, to: recipient, vault: vault)
            r.kind = .contractCall
            r.call = .init(target: Self.usdcToken, function: function,
                           arguments: [function == "approve" ? "spender" : "to": recipient], amounts: ["amount": FixedDecimal(parsing: amount)!])
            return r
        }
        // Paying a sanctioned address through the token contract.
        #expect(Self.policy.evaluate(call("alice", "transfer", "10", to: Self.tornado, vault: "defi"), in: Self.state()).reason
            == .deniedByRule("deny-sanctioned-destination"))
        // A bot paying an address outside the address book through the token contract.
        #expect(Self.policy.evaluate(call("rebalancer", "approve", "10", to: Self.stranger, vault: "defi"), in: Self.state()).reason
            == .deniedByRule("deny-bots-to-unknown"))
        // Beyond the risk bot's hourly limit: 1.8M USDC on top of the 300,000 already spent.
        #expect(Self.policy.evaluate(call("risk-bot", "transfer", "1800000", to: Self.kraken), in: Self.state()).reason
            == .deniedByRule("deny-risk-bot-over-hourly"))
        // No allow rule covers a bot's token call to an exchange (the top-up rule covers transfers).
        #expect(Self.policy.evaluate(call("risk-bot", "transfer", "1000", to: Self.kraken), in: Self.state()).reason == .noRuleMatched)
        // The rebalancer's bounded approval of a DeFi spender stays routine.
        #expect(Self.policy.evaluate(call("rebalancer", "approve", "50000", to: Self.uniswap, vault: "defi"), in: Self.state()).reason
            == .allowedByRule("allow-rebalancer-approve-defi"))
    }

    @Test func exampleRequestFilesDecodeAndDecide() throws {
        let dir = TestPaths.examples
        let request = try PolicyRequest.decode(json: String(contentsOfFile: dir + "/requests/risk-bot-kraken.json", encoding: .utf8))
        let state = try StateSnapshot.decode(json: String(contentsOfFile: dir + "/requests/state.json", encoding: .utf8))
        let e = Self.policy.explain(request, in: state)
        #expect(e.decision.outcome == .deny)
        #expect(e.text.contains("5,250,000 USD > limit 5,000,000 USD"))
    }
}

@Suite struct NearMissTests {
    @Test(arguments: [
        ("risk-bot", "1500000", "hot-trading", "rule allow-risk-bot-exchange-topups (allow) did not match only because USD notional 1,500,000 is not ≤ 1,000,000"),
        ("risk-bot", "100", "otc-settlement", "rule allow-risk-bot-exchange-topups (allow) did not match only because vault otc-settlement is not one of its vaults"),
        ("judy", "100", "hot-trading", "did not match only because initiator judy is not one of its users or roles"),
    ])
    func deniedRequestsNameTheAllowRuleThatAlmostMatched(initiator: String, amount: String, vault: String, expected: String) {
        let request = ExamplePolicyTests.send(initiator, amount, to: ExamplePolicyTests.kraken, vault: vault)
        let e = ExamplePolicyTests.policy.explain(request, in: ExamplePolicyTests.state(krakenSpent: "0"))
        #expect(e.decision.outcome == .deny)
        #expect(e.text.contains(expected), "\(e.text)")
    }
}
