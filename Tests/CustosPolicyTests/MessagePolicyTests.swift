import CustosCore
import CustosPolicy
import Testing

/// Rules about messages: the `message` match clause, `request.message` in conditions, static
/// checks and explanations. Views are built here directly; the requests room derives them from
/// the committed body (CustosStateTests.MessageRequestTests).
@Suite struct MessagePolicyTests {
    static func permit(amount: String?, spender: String = Fixtures.router, chainId: String = "1", initiator: String = "bot") -> PolicyRequest {
        var domain = PolicyRequest.Message.Domain()
        domain.name = "Permit2"
        domain.chainId = chainId
        domain.verifyingContract = "0x000000000022d473030f116ddee9f6b43ac78ba3"
        var message = PolicyRequest.Message(
            format: .eip712, domain: domain, primaryType: "PermitSingle", fields: ["spender": spender, "details.amount": amount ?? "1" + String(repeating: "0", count: 40)])
        if let amount { message.amounts["details.amount"] = FixedDecimal(parsing: amount)! } else { message.oversizedAmounts = ["details.amount"] }
        return PolicyRequest(id: "m", kind: .message, initiator: initiator, vault: "hot", message: message)
    }

    static func text(_ text: String, initiator: String = "bot", vault: String = "hot") -> PolicyRequest {
        PolicyRequest(id: "m", kind: .message, initiator: initiator, vault: vault,
                      message: .init(format: .eip191, length: text.utf8.count, text: text))
    }

    static let rules = """
          - name: allow-bot-permits
            match:
              initiator: {roles: [trading-bot]}
              message: {format: eip712, domain: {name: Permit2, chainId: 1}, primary_type: PermitSingle}
            when: "request.message.fields.spender == '\(Fixtures.router)' && request.message.amounts['details.amount'] <= 1000"
            outcome: allow
          - name: allow-bot-text
            match: {message: {format: [eip191]}, initiator: {roles: [trading-bot]}, vault: [hot]}
            when: "request.message.text.startsWith('OK: ') && request.message.length <= 64"
            outcome: allow
          - name: allow-transfers
            match: {initiator: {roles: [trading-bot]}, destination: {tags: [exchange]}, amount: {up_to: 10}}
            outcome: allow
          - name: require-people-messages
            match: {kind: [message], initiator: {kind: person}}
            outcome: {require: {group: risk, count: 1}}
          - name: allow-people-messages
            match: {initiator: {roles: [treasury]}, message: {format: [eip191]}}
            outcome: allow

        """

    @Test func messagesAreDecidedByMessageRulesOnly() throws {
        let policy = try Fixtures.policy(rules: Self.rules)
        let state = Fixtures.state()
        #expect(policy.evaluate(Self.permit(amount: "1000"), in: state).outcome == .allow)
        #expect(policy.evaluate(Self.permit(amount: "1001"), in: state).outcome == .deny)
        #expect(policy.evaluate(Self.permit(amount: "5", spender: Fixtures.kraken), in: state).outcome == .deny)
        #expect(policy.evaluate(Self.permit(amount: "5", chainId: "10"), in: state).outcome == .deny)
        let unlimited = policy.explain(Self.permit(amount: nil), in: state)
        #expect(unlimited.decision.outcome == .deny)
        #expect(unlimited.decision.skippedAllows.contains { $0.name == "allow-bot-permits" && $0.problem.contains("too large to compare") })
        #expect(policy.evaluate(Self.text("OK: withdraw"), in: state).outcome == .allow)
        #expect(policy.evaluate(Self.text("withdraw"), in: state).outcome == .deny)
        #expect(policy.evaluate(Self.text("OK: " + String(repeating: "x", count: 61)), in: state).outcome == .deny)
        // An EIP-191 message that is not UTF-8 has no text: reading it fails closed.
        var binary = Self.text("")
        binary.message?.text = nil
        #expect(policy.evaluate(binary, in: state).outcome == .deny)
        // The transfer rule (no kind) never covers a message, and message rules never a transfer.
        #expect(policy.evaluate(Fixtures.transfer("bot", amount: "5"), in: state).outcome == .allow)
        // People: allowed by their rule, with the risk approval the require rule adds.
        let person = policy.evaluate(Self.text("anything", initiator: "alice"), in: state)
        #expect(person.outcome == .needsApprovals)
        #expect(person.pending.map(\.group) == ["risk"])
        // Frozen: denied like every other request that is not governance.
        #expect(policy.evaluate(Self.text("OK: x"), in: Fixtures.state(frozen: true)).outcome == .deny)
    }

    @Test func explanationsShowTheMessage() throws {
        let policy = try Fixtures.policy(rules: Self.rules)
        let allowed = policy.explain(Self.permit(amount: "10"), in: Fixtures.state())
        #expect(allowed.lines[0] == "ALLOW: rule allow-bot-permits allows this request")
        #expect(allowed.lines[1].contains("bot asks hot to sign EIP-712 PermitSingle (domain name Permit2, chainId 1, verifyingContract 0x000000000022d473030f116ddee9f6b43ac78ba3; 2 fields)"))
        #expect(allowed.text.contains("condition `request.message.fields.spender"))
        let denied = policy.explain(Self.permit(amount: "5", chainId: "10"), in: Fixtures.state())
        #expect(denied.text.contains("rule allow-bot-permits (allow) did not match only because the message's domain chainId 10 is not one it covers"))
        let control = policy.explain(Self.text("OK: \u{1b}[2Jhidden"), in: Fixtures.state())
        #expect(control.lines[1].contains("EIP-191 text \"OK: \\u{1b}[2Jhidden\""))
    }

    @Test(arguments: [
        ("match: {message: {format: [pgp]}}", "message format must be one of eip191, eip712, bip340, raw"),
        ("match: {message: {}}", "message needs format, domain or primary_type"),
        ("match: {message: {domain: {chainId: [one]}}}", "chainId must be a whole number"),
        ("match: {message: {domain: {owner: [x]}}}", "owner"),
        ("match: {kind: [transfer], message: {format: [eip191]}}", "its kind excludes message"),
        ("match: {call: {functions: [approve]}, message: {format: [eip191]}}", "a request is one or the other"),
        ("match: {kind: [mail]}", "kind must be transfer, contract_call, deploy or message"),
        ("when: request.message.fields.amount > 5", "'>' compares two decimals or two strings"),
        ("when: request.message.domain.chain_id == 1", "domain has no field 'chain_id'"),
    ])
    func malformedMessageRulesAreRefused(clause: String, message: String) {
        let text = Fixtures.yaml(rules: "  - name: bad\n    \(clause)\n    outcome: deny\n")
        let errors = Fixtures.errors(text)
        #expect(errors.contains { $0.message.contains(message) }, "\(errors.map(\.message))")
    }

    @Test func staticChecksKnowMessageRules() throws {
        let open = Fixtures.yaml(rules: "  - name: open\n    match: {kind: [message]}\n    outcome: allow\n")
        #expect(Fixtures.warnings(open).contains { $0.code == .unlimitedAllow && $0.message.contains("allows signing any message") })
        // It would sign any typed data too: refused.
        #expect(Fixtures.errors(open).contains { $0.code == .openTypedData && $0.message.contains("rule 'open'") })
        let bounded = Fixtures.yaml(rules: "  - name: bounded\n    match: {message: {format: [eip191]}}\n    outcome: allow\n")
        #expect(!Fixtures.warnings(bounded).contains { $0.code == .unlimitedAllow })
        let dead = Fixtures.yaml(rules: "  - name: dead\n    match: {kind: [message], destination: {tags: [exchange]}}\n    outcome: deny\n")
        #expect(Fixtures.warnings(dead).contains { $0.code == .neverFires && $0.message.contains("matches only messages") })
        #expect(Fixtures.errors(Fixtures.yaml(rules: Self.rules)).isEmpty)
    }

    @Test func aSubmitterCannotWriteTheMessageView() {
        #expect(throws: PolicyLoadError.self) {
            try PolicyRequest.decode(json: #"{"kind": "message", "initiator": "bot", "vault": "hot"}"#)
        }
    }
}
