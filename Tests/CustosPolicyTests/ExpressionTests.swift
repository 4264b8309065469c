import CustosCore
@testable import CustosPolicy
import Testing

/// The CEL subset, construct by construct: values, type errors with positions, syntax errors
/// with positions, and evaluation failures (which make rules fail closed).
@Suite struct ExpressionTests {
    static let policy = try! Fixtures.policy(rules: """
          - name: anything
            match: {destination: {tags: [exchange]}}
            outcome: allow

        """)

    static let call = PolicyRequest.ContractCall(
        target: Fixtures.router, function: "approve", selector: "0x095ea7b3",
        arguments: ["spender": Fixtures.kraken], amounts: ["amount": FixedDecimal(parsing: "1500")!],
        oversizedAmounts: ["unlimited"])

    static func context(call: PolicyRequest.ContractCall? = nil, prices: [String: String] = ["ETH": "3000", "USDC": "1"]) -> EvaluationContext {
        var request = Fixtures.transfer("alice", amount: "2.5", asset: "ETH", memo: "OTC-42")
        if let call {
            request.kind = .contractCall
            request.call = call
        }
        return EvaluationContext(policy: policy, request: request, state: Fixtures.state(prices: prices))
    }

    func evaluate(_ source: String, call: PolicyRequest.ContractCall? = nil, prices: [String: String] = ["ETH": "3000", "USDC": "1"]) throws -> Bool {
        let compiled = try ExpressionCompiler.compileCondition(source, at: .start)
        return try compiled.bool(Self.context(call: call, prices: prices), nil)
    }

    @Test(arguments: [
        ("true", true), ("false", false), ("!false", true), ("true && false", false), ("false || true", true),
        ("1 + 2 == 3", true), ("10 / 4 == 2.5", true), ("7 % 3 == 1", true), ("-2 < -1", true), ("2 * 3 >= 6", true),
        ("0.1 + 0.2 == 0.3", true),
        ("request.amount == 2.5", true), ("request.amount_usd == 7500", true), ("request.amount_usd > 7_499.99", true),
        ("request.fee <= 0.001", true), ("request.asset == 'ETH'", true), ("request.asset == \"ETH\"", true),
        ("request.asset in ['ETH', 'BTC']", true), ("request.asset in ['BTC']", false), ("3 in [1, 2, 3]", true),
        ("'exchange' in request.destination.tags", true), ("request.destination.name == 'kraken'", true),
        ("request.destination.counterparty == 'kraken'", true), ("request.destination.known", true),
        ("size(request.destination.tags) == 1", true), ("request.memo.size() == 6", true), ("size('héllo') == 5", true),
        ("request.memo.startsWith('OTC-')", true), ("request.memo.endsWith('42')", true),
        ("request.initiator_kind == 'person' && 'treasury' in request.initiator_roles", true),
        ("request.destination.tags.exists(t, t == 'exchange')", true),
        ("request.destination.tags.all(t, t.startsWith('ex'))", true),
        ("request.initiator_roles.exists(r, r == 'admin')", false),
        ("[].all(x, x == 1)", true), ("[].exists(x, x == 1)", false),
        ("request.amount > 1 ? request.asset == 'ETH' : false", true),
        ("has(request.call)", false), ("has(request.operation)", false), ("has(request.memo)", true),
        ("'exchange' in address_tags('0x1111111111111111111111111111111111111111')", true),
        ("size(address_tags('0xdead')) == 0", true), ("decimal('12.5') * 2 == 25", true),
        ("time.hour == 10 && time.minute == 0 && time.weekday == 'tue'", true),
        ("time.unix == 1794909600", true), ("request.kind == 'transfer'", true),
        ("'b' > 'a' && 'a' <= 'a'", true), ("request.vault != 'cold'", true),
        ("(1 + 2) * 3 == 9", true), ("1 + 2 * 3 == 7", true), ("!(1 == 2) && !!true", true),
    ])
    func evaluatesTable(source: String, expected: Bool) throws {
        #expect(try evaluate(source) == expected, "\(source)")
    }

    @Test(arguments: [
        ("request.call.function == 'approve'", true),
        ("request.call.args.spender == '0x1111111111111111111111111111111111111111'", true),
        ("request.call.args['spender'] in ['0x1111111111111111111111111111111111111111']", true),
        ("request.call.amounts.amount == 1500", true),
        ("has(request.call) && has(request.call.args.spender)", true),
        ("has(request.call.args.owner)", false),
        ("has(request.call.amounts.unlimited)", true),
        ("'spender' in request.call.args", true),
        ("'exchange' in address_tags(request.call.args.spender)", true),
        ("request.call.selector == '0x095ea7b3'", true),
    ])
    func evaluatesContractCalls(source: String, expected: Bool) throws {
        #expect(try evaluate(source, call: Self.call) == expected, "\(source)")
    }

    @Test(arguments: [
        "request.call.function == 'x'",                 // not a contract call
        "request.operation.action == 'freeze'",         // not a governance operation
        "request.amount / 0 == 1",                       // division by zero
        "request.amount % 0 == 1",
        "170141183460469231731 * 10 > 0",                // overflow
        "decimal('abc') > 0",
        "request.amount_usd > 0",                        // no price (see prices below)
    ])
    func evaluationFailuresAreErrors(source: String) throws {
        let compiled = try ExpressionCompiler.compileCondition(source, at: .start)
        #expect(throws: EvaluationFailure.self) {
            try compiled.bool(Self.context(prices: [:]), nil)
        }
    }

    @Test(arguments: [
        "request.call.amounts.unlimited > 5",  // oversized argument: cannot be compared
        "request.call.args.missing == 'x'",     // absent argument
        "request.call.amounts.missing > 1",
    ])
    func contractCallFailuresAreErrors(source: String) throws {
        let compiled = try ExpressionCompiler.compileCondition(source, at: .start)
        #expect(throws: EvaluationFailure.self) { try compiled.bool(Self.context(call: Self.call), nil) }
    }

    @Test func errorsAreAbsorbedLikeCEL() throws {
        // false && error == false; true || error == true: the error does not decide.
        #expect(try evaluate("false && request.call.function == 'x'") == false)
        #expect(try evaluate("request.call.function == 'x' && false") == false)
        #expect(try evaluate("true || request.call.function == 'x'") == true)
        #expect(try evaluate("request.call.function == 'x' || true") == true)
    }

    @Test(arguments: [
        ("request.amount == 'ten'", 16, "cannot compare decimal with string"),
        ("request.amout > 5", 8, "did you mean 'amount'"),
        ("request.asset > 5", 15, "compares two decimals or two strings"),
        ("size(request.amount) > 1", 1, "size() works on strings, lists and maps"),
        ("request.amount", 1, "must be bool"),
        ("foo == 1", 1, "unknown name 'foo'"),
        ("request.destination.tags.exists(t, t.exists(u, u == 'x'))", 37, "nested"),
        ("request.asset.exists(t, true)", 14, "works on lists"),
        ("nosuch(1)", 1, "unknown function"),
        ("request.amount && true", 16, "bool operands"),
        ("'a' in 5", 5, "list or map"),
        ("1 in ['a']", 3, "cannot look for a decimal"),
        ("[1, 'a'] == []", 5, "list mixes"),
        ("request.amount > 1 ? 'x' : 2", 20, "one type"),
        ("has(request.nothing)", 12, "no field"),
        ("request == request", 9, "objects cannot be compared"),
        ("[request.amount] == [1]", 9, "literal values"),
    ])
    func typeErrorsHavePositions(source: String, column: Int, message: String) {
        do {
            _ = try ExpressionCompiler.compileCondition(source, at: SourceLocation(line: 7, column: 1))
            Issue.record("\(source) compiled")
        } catch {
            #expect(error.kind == .type)
            #expect(error.location == SourceLocation(line: 7, column: column), "\(source): \(error.location)")
            #expect(error.message.contains(message), "\(source): \(error.message)")
        }
    }

    @Test(arguments: [
        ("request.amount >", 17, "expected a value"),
        ("(1 == 1", 8, "expected ')'"),
        ("1 == 1 == 1", 8, "do not chain"),
        ("request.amount = 5", 16, "'=='"),
        ("a & b", 3, "'&&'"),
        ("'unterminated", 1, "not closed"),
        ("1 2", 3, "after the end"),
        ("", 1, "empty"),
        ("5abc > 1", 1, "malformed number"),
        ("#", 1, "unexpected character"),
        ("'\\q'", 2, "unsupported escape"),
        ("request.", 9, "after '.'"),
    ])
    func syntaxErrorsHavePositions(source: String, column: Int, message: String) {
        do {
            _ = try ExpressionCompiler.compileCondition(source, at: SourceLocation(line: 3, column: 1))
            Issue.record("\(source) parsed")
        } catch {
            #expect(error.kind == .syntax, "\(source)")
            #expect(error.location == SourceLocation(line: 3, column: column), "\(source): \(error.location)")
            #expect(error.message.contains(message), "\(source): \(error.message)")
        }
    }

    @Test func deepNestingIsRefused() {
        let source = String(repeating: "(", count: 200) + "true" + String(repeating: ")", count: 200)
        #expect(throws: ExpressionError.self) { try ExpressionCompiler.compileCondition(source, at: .start) }
        let negations = String(repeating: "!", count: 200) + "true"
        #expect(throws: ExpressionError.self) { try ExpressionCompiler.compileCondition(negations, at: .start) }
    }

    @Test func tooManyTokensAreRefused() {
        let source = Array(repeating: "true", count: 1_000).joined(separator: " && ")
        #expect(throws: ExpressionError.self) { try ExpressionCompiler.compileCondition(source, at: .start) }
    }

    @Test func constantFalseIsFolded() throws {
        #expect(try ExpressionCompiler.compileCondition("false && request.amount > 1", at: .start).isConstantFalse)
        #expect(try ExpressionCompiler.compileCondition("!true", at: .start).isConstantFalse)
        #expect(try !ExpressionCompiler.compileCondition("request.amount > 1", at: .start).isConstantFalse)
    }

    @Test func conditionErrorsInDocumentsCarryDocumentPositions() throws {
        let text = Fixtures.yaml(rules: """
              - name: bad
                match: {destination: {tags: [exchange]}}
                when: request.amount > 'x'
                outcome: deny

            """)
        let errors = Fixtures.errors(text)
        let d = try #require(errors.first)
        #expect(d.code == .expressionType)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("when: request.amount") }! + 1
        #expect(d.location == SourceLocation(line: line, column: 26))
        #expect(d.message.contains("rule 'bad'"))
    }
}

/// The largest conditions the parser accepts evaluate without exhausting a test thread's stack.
@Suite struct ExpressionSizeTests {
    @Test func longestAcceptedChainsEvaluate() throws {
        let policy = ExpressionTests.policy
        let context = EvaluationContext(policy: policy, request: Fixtures.transfer(), state: Fixtures.state())
        for op in ["&&", "||", "+"] {
            let operand = op == "+" ? "1" : "true"
            let count = 499
            var source = Array(repeating: operand, count: count).joined(separator: " \(op) ")
            if op == "+" { source += " > 0" }
            let compiled = try ExpressionCompiler.compileCondition(source, at: .start)
            #expect(try compiled.bool(context, nil))
        }
    }
}
