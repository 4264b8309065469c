import CustosCore
import CustosPolicy
import Testing

/// What the checker says about what rules cover, written as an attacker reading a policy would
/// probe it: typed data an allow rule lets through, USD limits on a single price source,
/// call clauses naming functions no call is ever reported as, deny rules that miss contract
/// calls. Each finding names the rule and the field.
@Suite struct CoverageCheckTests {
    static func allowMessages(_ clause: String) -> String {
        """
          - name: sign-typed
            match: {initiator: {roles: [treasury]}, \(clause)}
            outcome: allow

        """
    }

    @Test(arguments: [
        "message: {format: [eip712]}",
        "message: {format: [eip191, eip712]}",
        "message: {format: [eip712], primary_type: [Order]}",
        "message: {format: [eip712], domain: {verifyingContract: ['0x9008D19f58AAbD9eD0D60971565AA8510560ab41']}}",
        "message: {domain: {chainId: [1]}, primary_type: [Order]}",
        "kind: [message]",
    ])
    func anAllowRuleOpenToAnyTypedDataIsRefused(clause: String) throws {
        let errors = Fixtures.errors(Fixtures.yaml(rules: Self.allowMessages(clause)))
        let d = try #require(errors.first { $0.code == .openTypedData }, "\(errors)")
        #expect(d.message.contains("rule 'sign-typed'"), "\(d.message)")
        #expect(d.message.contains("TransferWithAuthorization"))
        #expect(d.message.contains("primary_type") || d.message.contains("verifyingContract"))
    }

    @Test(arguments: [
        "message: {format: [eip712], domain: {verifyingContract: ['0x9008D19f58AAbD9eD0D60971565AA8510560ab41']}, primary_type: [Order]}",
        "message: {format: [eip712], domain: {name: [Gnosis Protocol]}, primary_type: [Order]}",
        "message: {format: [eip191, raw]}",
    ])
    func anAllowRuleNamingTheTypeAndContractIsAccepted(clause: String) throws {
        #expect(Fixtures.errors(Fixtures.yaml(rules: Self.allowMessages(clause))).isEmpty)
    }

    @Test func denyAndRequireRulesMayCoverAnyTypedData() throws {
        let text = Fixtures.yaml(rules: """
              - name: no-typed-data
                match: {message: {format: [eip712]}, vault: [cold]}
                outcome: deny
              - name: review-typed-data
                match: {kind: [message], initiator: {kind: person}}
                outcome: {require: {group: risk, count: 1}}

            """)
        #expect(Fixtures.errors(text).isEmpty)
    }

    /// Typed data an open rule would have let through is denied once the rule names its type
    /// and contract: an EIP-3009 transfer authorisation under USDC's domain, a Permit, a SafeTx.
    @Test func typedDataOutsideTheNamedTypeAndContractIsDenied() throws {
        let policy = try Fixtures.policy(rules: Self.allowMessages(
            "message: {format: [eip712], domain: {verifyingContract: ['0x9008D19f58AAbD9eD0D60971565AA8510560ab41']}, primary_type: [Order]}"))
        func request(_ type: String, contract: String) -> PolicyRequest {
            var domain = PolicyRequest.Message.Domain()
            domain.verifyingContract = contract
            return PolicyRequest(id: "m", kind: .message, initiator: "alice", vault: "hot",
                                 message: .init(format: .eip712, domain: domain, primaryType: type))
        }
        let settlement = "0x9008d19f58aabd9ed0d60971565aa8510560ab41"
        let usdc = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
        #expect(policy.evaluate(request("Order", contract: settlement), in: Fixtures.state()).outcome == .allow)
        for (type, contract) in [("TransferWithAuthorization", usdc), ("Permit", usdc), ("SafeTx", settlement), ("Order", usdc)] {
            #expect(policy.evaluate(request(type, contract: contract), in: Fixtures.state()).outcome == .deny, "\(type)")
        }
    }

    @Test(arguments: [
        ("match: {initiator: {users: [bot]}, amount_usd: {up_to: 10_000}}", "its amount_usd needs prices.min_sources of at least 3, the policy has 1"),
        ("match: {initiator: {users: [bot]}, within: [exchange-daily]}", "its within exchange-daily (a USD limit) needs prices.min_sources"),
        ("match: {destination: {tags: [exchange]}, exceeds: [exchange-daily]}", "its exceeds exchange-daily (a USD limit)"),
    ])
    func usdClausesOnFewerThanThreeSourcesAreRefused(match: String, message: String) throws {
        for sources in [1, 2] {
            let text = Fixtures.yaml(rules: "  - name: usd-rule\n    \(match)\n    outcome: deny\n")
                .replacing("policy: test\n", with: "policy: test\nprices: {min_sources: \(sources)}\n")
            let d = try #require(Fixtures.errors(text).first { $0.code == .thinPrices })
            #expect(d.message.contains("rule 'usd-rule'"), "\(d.message)")
            #expect(d.message.contains(message.replacing("has 1", with: "has \(sources)")), "\(d.message)")
        }
    }

    @Test func theDefaultIsThreeSourcesAndCountLimitsNeedNone() throws {
        #expect(PricePolicy().minSources == 3)
        let usd = Fixtures.yaml(rules: "  - name: usd-rule\n    match: {amount_usd: {up_to: 5}}\n    outcome: allow\n")
        #expect(Fixtures.errors(usd).isEmpty)
        let counted = Fixtures.yaml(rules: "  - name: counted\n    match: {within: [bot-hourly]}\n    outcome: allow\n")
            .replacing("policy: test\n", with: "policy: test\nprices: {min_sources: 1}\n")
        #expect(Fixtures.errors(counted).isEmpty)
    }

    @Test func aCallClauseNamingOnlyUndecodedFunctionsNeverFires() throws {
        let dead = Fixtures.yaml(rules: """
              - name: dex-swaps
                match: {initiator: {users: [bot]}, call: {targets: [router], functions: [exactInputSingle, exactInput]}}
                outcome: allow

            """)
        let d = try #require(Fixtures.warnings(dead).first { $0.code == .neverFires })
        #expect(d.message.contains("rule 'dex-swaps' can never apply"), "\(d.message)")
        #expect(d.message.contains("'exactInputSingle', 'exactInput'"))
        let partly = Fixtures.yaml(rules: """
              - name: admin-calls
                match: {call: {functions: [transferOwnership, upgradeToo]}}
                outcome: deny

            """)
        let p = try #require(Fixtures.warnings(partly).first { $0.code == .undecodableFunction })
        #expect(p.message.contains("rule 'admin-calls'") && p.message.contains("'upgradeToo'"), "\(p.message)")
    }

    @Test func aDenyRuleWithoutKindIsToldItCoversTransfersOnly() throws {
        let text = Fixtures.yaml(rules: """
              - name: review-exchanges
                match: {destination: {tags: [exchange]}}
                outcome: {require: {group: risk, count: 1}}
              - name: deny-exchange-calls
                match: {kind: [transfer, contract_call], destination: {tags: [exchange]}}
                outcome: deny

            """)
        let warnings = Fixtures.warnings(text).filter { $0.code == .transfersOnly }
        #expect(warnings.count == 1)
        #expect(warnings.first?.message.contains("rule 'review-exchanges' names no kind") == true)
    }
}
