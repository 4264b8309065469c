import CustosCore
@testable import CustosPolicy
import CustosTestSupport
import Testing

/// Seeded mutation fuzzing: corrupted documents, requests and conditions never trap, and every
/// refusal carries a position inside the document. Each fuzzer also shows it reached past the
/// first check: at least a given number of its inputs are accepted (the seeds are fixed, so the
/// counts are too), and what is accepted decodes again to the same value.
@Suite struct FuzzTests {
    static let alphabet = Array("abcxyz019_-.:,[]{}()'\"!&*|=<>?#\n\t @%$\\/~".utf8)

    static func mutate(_ text: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = text
        for _ in 0..<Int.random(in: 1...8, using: &rng) {
            guard !bytes.isEmpty else { break }
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: bytes.remove(at: i)
            case 1: bytes.insert(alphabet[Int.random(in: 0..<alphabet.count, using: &rng)], at: i)
            case 2: bytes[i] = alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
            default:
                // Duplicate a slice (repeats keys, rules, brackets).
                let j = min(bytes.count, i + Int.random(in: 1...40, using: &rng))
                bytes.insert(contentsOf: bytes[i..<j], at: i)
            }
        }
        return bytes
    }

    @Test(arguments: Array(UInt64(1)...UInt64(6)))
    func mutatedPoliciesNeverTrap(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let original = Array(try Fixtures.examplePolicyText().utf8)
        let lines = original.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
        var accepted = 0
        for _ in 0..<100 {
            let text = String(decoding: Self.mutate(original, &rng), as: UTF8.self)
            let validation = PolicyValidation(yaml: text)
            if validation.isValid {
                accepted += 1
                _ = validation.policy?.evaluate(Fixtures.transfer("risk-bot"), in: Fixtures.state())
            } else {
                for d in validation.diagnostics where d.severity == .error {
                    #expect(d.location.line >= 1 && d.location.line <= lines + 50, "\(d)")
                    #expect(d.location.column >= 1, "\(d)")
                }
            }
        }
        #expect(accepted >= Self.minimumAcceptedPolicies, "only \(accepted) of 100 mutated policies loaded")
    }

    /// Floors at or below the exact counts of the fixed seeds (noted beside each, over the
    /// seeds), above zero.
    /// 1 to 9 of 100 mutated example policies still load.
    static let minimumAcceptedPolicies = 1
    /// 6 to 11 of 100 mutated requests decode.
    static let minimumDecodedRequests = 4
    /// 1 or 2 of 400 random token strings compile.
    static let minimumCompiledConditions = 1
    /// Every condition the grammar builds compiles (they are well formed by construction).
    static let grammarConditions = 150

    /// A well-formed condition from a small grammar over the request's fields: comparisons of
    /// numbers and strings, membership (in a list of literals, or in the destination's tags),
    /// the ternary and the boolean connectives, nested up to
    /// `depth`. Division, modulo and unknown fields may still fail at evaluation — never trap.
    static func condition(_ depth: Int, _ rng: inout SeededGenerator) -> String {
        let numbers = ["request.amount", "request.amount_usd", "request.fee", "time.hour", "1", "0", "2.5",
                       "170141183460469231731", "decimal('12.5')", "size(request.destination.tags)", "request.memo.size()"]
        let literals = ["'ETH'", "'x'", "\"kraken\""]
        let strings = ["request.asset", "request.vault", "request.destination.name", "time.weekday"] + literals
        func pick(_ values: [String]) -> String { values.randomElement(using: &rng)! }
        if depth == 0 || Int.random(in: 0..<3, using: &rng) == 0 {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: return "\(pick(numbers)) \(pick(["==", "!=", "<", "<=", ">", ">="])) \(pick(numbers))"
            case 1: return "\(pick(numbers)) \(pick(["+", "-", "*", "/", "%"])) \(pick(numbers)) \(pick(["==", "<", ">="])) \(pick(numbers))"
            case 2: return "\(pick(strings)) \(pick(["==", "!=", "<", ">="])) \(pick(strings))"
            case 3: return "\(pick(strings)) in [\(pick(literals)), \(pick(literals))]"
            case 4: return "\(pick(["'exchange'", "request.asset"])) in request.destination.tags"
            default: return pick(["true", "false", "request.destination.known", "request.memo.startsWith('OTC-')",
                                  "request.destination.tags.exists(t, t == 'exchange')"])
            }
        }
        let a = condition(depth - 1, &rng)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return "(\(a)) && (\(condition(depth - 1, &rng)))"
        case 1: return "(\(a)) || (\(condition(depth - 1, &rng)))"
        case 2: return "!(\(a))"
        default: return "(\(a)) ? (\(condition(depth - 1, &rng))) : (\(condition(depth - 1, &rng)))"
        }
    }

    @Test(arguments: Array(UInt64(1)...UInt64(4)))
    func grammarConditionsCompileAndEvaluateDeterministically(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let context = ExpressionTests.context(call: ExpressionTests.call)
        var compiled = 0
        var evaluated = 0
        for _ in 0..<Self.grammarConditions {
            let source = Self.condition(4, &rng)
            guard let condition = try? ExpressionCompiler.compileCondition(source, at: .start) else {
                Issue.record("a well-formed condition did not compile: \(source)")
                continue
            }
            compiled += 1
            let first = try? condition.bool(context, nil)
            if first != nil { evaluated += 1 }
            #expect((try? condition.bool(context, nil)) == first, "evaluation is not deterministic: \(source)")
        }
        #expect(compiled == Self.grammarConditions)
        // Most evaluate to a value; some divide by zero, which is an error, not a trap.
        #expect(evaluated >= Self.grammarConditions / 2, "only \(evaluated) of \(compiled) conditions evaluated")
    }

    @Test(arguments: Array(UInt64(1)...UInt64(4)))
    func mutatedRequestsNeverTrap(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let policy = ExamplePolicyTests.policy
        let original = Array("""
            {"id": "r1", "initiator": "risk-bot", "vault": "hot-trading", "chain": "ethereum", "asset": "USDC",
             "amount": "250000", "fee": "0.004", "destination": "0x2e6d88f471c41bd6dc54146e5eea659498ccba8f",
             "call": {"target": "0x0abe23a52efa7614ca4f33e89f3b823169de9085", "function": "approve",
                      "args": {"spender": "0x0a9a15d91832ac6562b81934c847b8a31ad187b5"}, "amounts": {"amount": "5"}},
             "approvals": ["alice", "bob"]}
            """.utf8)
        var decoded = 0
        for _ in 0..<100 {
            let text = String(decoding: Self.mutate(original, &rng), as: UTF8.self)
            if let request = try? PolicyRequest.decode(json: text) {
                decoded += 1
                #expect((try? PolicyRequest.decode(json: text)) == request, "decoding is not deterministic")
                let e = policy.explain(request, in: ExamplePolicyTests.state())
                #expect(policy.evaluate(request, in: ExamplePolicyTests.state()) == e.decision)
            }
        }
        #expect(decoded >= Self.minimumDecodedRequests, "only \(decoded) of 100 mutated requests decoded")
    }

    @Test(arguments: Array(UInt64(1)...UInt64(4)))
    func randomConditionsNeverTrap(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let tokens = ["request.amount", "request.asset", "request.destination.tags", "request.call.args.spender",
                      "request.call.amounts.amount", "time.hour", "'x'", "1", "0", "170141183460469231731", "true",
                      "(", ")", "[", "]", ",", "&&", "||", "!", "-", "+", "*", "/", "%", "==", "<", "in", "?", ":",
                      ".size()", ".exists(t, t == 'a')", "size(", "has(", "decimal(", "address_tags("]
        let context = ExpressionTests.context(call: ExpressionTests.call)
        var compiledCount = 0
        for _ in 0..<400 {
            let source = (0..<Int.random(in: 1...14, using: &rng)).map { _ in tokens.randomElement(using: &rng)! }.joined(separator: " ")
            guard let compiled = try? ExpressionCompiler.compileCondition(source, at: .start) else { continue }
            compiledCount += 1
            _ = try? compiled.bool(context, nil)
        }
        #expect(compiledCount >= Self.minimumCompiledConditions, "only \(compiledCount) of 400 random conditions compiled")
    }
}
