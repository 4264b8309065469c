import CustosCore
import CustosPolicy
import Testing

/// How rules meet contract calls, as an attacker with a bot's key would try them: a rule
/// without `kind:` covers transfers only, a token movement is charged with what it moves, and
/// one the chain layer could not price fails every USD clause closed rather than counting at 0.
@Suite struct TokenMovementPolicyTests {
    /// A bot may pay exchanges up to 1,000 USD within the daily exchange limit; an allow rule
    /// without a kind.
    static let rules = """
          - name: bot-to-exchanges
            match: {initiator: {users: [bot]}, destination: {tags: [exchange]}, amount_usd: {up_to: 1_000}, within: [exchange-daily]}
            outcome: allow
          - name: bot-token-calls
            match: {initiator: {users: [bot]}, call: {functions: [transfer, approve]}}
            outcome: allow
          - name: deny-over-daily
            match: {kind: [transfer, contract_call], exceeds: [exchange-daily]}
            outcome: deny

        """

    /// A contract call as the chain layer reports an ERC-20 `transfer` of USDC to `recipient`:
    /// the token contract is the target, the recipient the destination.
    static func tokenCall(_ function: String = "transfer", amount: String, to recipient: String = Fixtures.kraken, unpriced: String? = nil) -> PolicyRequest {
        PolicyRequest(
            id: "c", kind: .contractCall, initiator: "bot", vault: "hot", chain: "ethereum", asset: "USDC",
            amount: FixedDecimal(parsing: amount)!, destination: recipient, unpriced: unpriced,
            call: .init(target: "0x5555555555555555555555555555555555555555", function: function,
                        arguments: [function == "approve" ? "spender" : "to": recipient], amounts: ["amount": FixedDecimal(parsing: amount)!]))
    }

    @Test func anAllowRuleWithoutKindNoLongerCoversContractCalls() throws {
        let policy = try Fixtures.policy(rules: """
              - name: anything-to-exchanges
                match: {initiator: {users: [bot]}, destination: {tags: [exchange]}}
                outcome: allow

            """)
        #expect(policy.evaluate(Fixtures.transfer("bot", amount: "5"), in: Fixtures.state()).outcome == .allow)
        // A call to an allowlisted address (here the exchange's own address, as a contract)
        // is not a transfer: nothing allows it.
        var call = Self.tokenCall(amount: "5")
        call.call = .init(target: Fixtures.kraken, function: "unknown")
        call.destination = Fixtures.kraken
        let decision = policy.evaluate(call, in: Fixtures.state())
        #expect(decision.outcome == .deny && decision.reason == .noRuleMatched)
    }

    @Test func aTokenTransferCallIsChargedLikeATransferOfTheToken() throws {
        let policy = try Fixtures.policy(rules: Self.rules)
        // 900,000 USDC already went to kraken today: a transfer call of 200,000 more exceeds the
        // daily limit exactly as a transfer would.
        var state = Fixtures.state()
        state.windows["exchange-daily", "kraken"] = .init(usd: FixedDecimal(900_000)!, count: 1)
        for request in [Fixtures.transfer("bot", amount: "200000"), Self.tokenCall(amount: "200000")] {
            let decision = policy.evaluate(request, in: state)
            #expect(decision.outcome == .deny && decision.reason == .deniedByRule("deny-over-daily"), "\(request.kind)")
        }
        // The charge is the token amount at its price, kept per the recipient's counterparty.
        let charge = try #require(policy.windowCharge(for: Self.tokenCall(amount: "200000"), in: state))
        #expect(charge.usd == FixedDecimal(200_000)! && charge.keys.first == "kraken")
        // An approval to an exchange is charged to the spender.
        #expect(policy.evaluate(Self.tokenCall("approve", amount: "200000"), in: state).outcome == .deny)
        #expect(policy.evaluate(Self.tokenCall("approve", amount: "50000"), in: state).outcome == .allow)
    }

    @Test func anUnpricedTokenMovementFailsEveryUSDClauseClosed() throws {
        let policy = try Fixtures.policy(rules: Self.rules + """
              - name: review-large
                match: {kind: [contract_call], amount_usd: {over: 100}}
                outcome: {require: {group: risk, count: 1}}

            """)
        let reason = "the call moves tokens of 0x7777777777777777777777777777777777777777, which is not a registered asset"
        var request = Self.tokenCall(amount: "1", unpriced: reason)
        request.asset = "0x7777777777777777777777777777777777777777"
        // Even a price posted under the contract's address is not used.
        var state = Fixtures.state(prices: ["ETH": "3000", "USDC": "1", "0x7777777777777777777777777777777777777777": "0.000001"])
        let decision = policy.evaluate(request, in: state)
        // The USD limit's deny rule applies closed, the USD require rule too.
        #expect(decision.outcome == .deny && decision.reason == .deniedByRule("deny-over-daily"))
        #expect(decision.applied.first { $0.name == "deny-over-daily" }?.failedClosed?.contains(reason) == true)
        #expect(decision.applied.first { $0.name == "review-large" }?.failedClosed != nil)
        // A registered token's unlimited approval is unpriced too (its amount beyond the decimals).
        request = Self.tokenCall("approve", amount: "1", unpriced: "the call moves more base units of USDC than the policy's decimals hold")
        request.amount = FixedDecimal(raw: .max)
        state = Fixtures.state()
        #expect(policy.evaluate(request, in: state).outcome == .deny)
    }

    @Test func anUnpricedMovementMeetsAUSDDenyRuleClosedAndWouldCountAtZeroUSD() throws {
        let policy = try Fixtures.policy(rules: Self.rules)
        let request = Self.tokenCall(amount: "1", unpriced: "not a registered asset")
        // Only the count limits see it: bot-token-calls has no USD clause and deny-over-daily
        // fails closed.
        #expect(policy.evaluate(request, in: Fixtures.state()).outcome == .deny)
        let charge = try #require(policy.windowCharge(for: request, in: Fixtures.state()))
        #expect(charge.usd == .zero)
    }
}
