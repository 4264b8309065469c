import CustosCore
import CustosPolicy
import CustosTestSupport
import Foundation
import Testing

/// A request decoded from its verified JSON value (as every node decides it, with no text and no
/// YAML parser) reads exactly as its RFC 8785 canonical text read through the YAML reader (as
/// nodes decided it before): the same request, or the same diagnostics — code, position and
/// message, in the same order — for valid, hostile, oversized and mutated bodies.
@Suite struct JSONRequestTests {
    enum Reading: Equatable {
        case request(PolicyRequest)
        case refused([String])

        var isRefused: Bool {
            if case .refused = self { return true }
            return false
        }
    }

    static func direct(_ value: JSONValue) -> Reading {
        do { return .request(try PolicyRequest(json: value)) } catch { return .refused(error.diagnostics.map(\.description)) }
    }

    static func throughCanonicalText(_ value: JSONValue) -> Reading {
        do {
            return .request(try PolicyRequest.decode(json: String(decoding: JCS.canonicalBytes(value), as: UTF8.self)))
        } catch {
            return .refused(error.diagnostics.map(\.description))
        }
    }

    static func parse(_ text: String) throws -> JSONValue { try JSONParser().parse(Array(text.utf8)) }

    static let bodies: [String] = [
        #"{"id": "r1", "initiator": "alice", "vault": "hot", "chain": "ethereum", "asset": "USDC", "amount": "250000.5", "fee": 0.002, "destination": "0xabc", "approvals": ["bob", "carol"], "memo": "x"}"#,
        #"{"initiator": "alice", "destination": "0xabc", "call": {"target": "0xabc", "function": "approve", "args": {"spender": "0xdef"}, "amounts": {"amount": "115792089237316195423570985008687907853269984665640564039457584007913129639935", "small": 12}}}"#,
        #"{"initiator": "erin", "operation": {"action": "freeze"}}"#,
        #"{"initiator": "a", "amout": "1"}"#,
        #"{"amount": "1"}"#,
        #"{"initiator": "a", "amount": "1e5"}"#,
        #"{"initiator": "a", "amount": "-5"}"#,
        #"{"initiator": "a", "kind": "governance"}"#,
        #"{"initiator": "a", "operation": {"action": "nuke"}}"#,
        #"{"initiator": "a", "kind": "transfer", "operation": {"action": "freeze"}}"#,
        "[1, 2]",
        #""text""#,
        // Numbers, booleans and null where text or decimals are expected.
        #"{"initiator": "a", "vault": 5, "asset": true, "chain": null, "amount": 1e2, "fee": 1.50}"#,
        #"{"initiator": "a", "amount": 12345678901234567890, "fee": 1e-7}"#,
        #"{"initiator": "a", "amount": 9007199254740993, "fee": -0}"#,
        #"{"initiator": 7}"#,
        #"{"initiator": "a", "approvals": "bob"}"#,
        #"{"initiator": "a", "approvals": [1, null, "x"]}"#,
        #"{"initiator": "a", "call": {"function": "f", "args": [], "amounts": {"x": "a", "y": [1]}}}"#,
        #"{"initiator": "a", "call": {"target": "t", "function": "f", "args": {"k": {"n": 1}}, "amounts": "1"}}"#,
        // Several errors at once: they sort by their place in the canonical text.
        #"{"zzz": 1, "vault": null, "amount": "-5", "aaa": 2, "initiator": 3, "operation": {"action": "nuke", "x": 1}}"#,
        // Non-ASCII names and escapes move later columns by Unicode scalars.
        #"{"initiator": "a", "memo": "€ top-up \u0001 \" \\ \n 😀", "é€😀": 1, "vault": null}"#,
    ]

    @Test(arguments: bodies)
    func readsAsTheCanonicalTextDid(text: String) throws {
        let value = try Self.parse(text)
        #expect(Self.direct(value) == Self.throughCanonicalText(value), "\(text)")
    }

    @Test func theExampleRequestReadsAsTheCanonicalTextDid() throws {
        let text = try String(contentsOfFile: TestPaths.examples + "/requests/risk-bot-kraken.json", encoding: .utf8)
        let value = try Self.parse(text)
        let direct = Self.direct(value)
        #expect(!direct.isRefused, "\(direct)")
        #expect(direct == Self.throughCanonicalText(value))
        #expect(direct == .request(try PolicyRequest.decode(json: text)))
    }

    /// Member names up to YAML's bound on a key read; longer ones are refused.
    @Test func longestMemberNamesReadAsTheCanonicalTextDid() throws {
        for length in [1021, 1022, 1023] {
            let value = JSONValue.object([("initiator", .string("a")), ("call", .object([
                ("target", .string("t")), ("function", .string("f")),
                ("args", .object([(String(repeating: "😀", count: length), .string("x"))])),
            ]))])
            #expect(Self.direct(value).isRefused == (length > 1022), "\(length)")
            #expect(Self.direct(value) == Self.throughCanonicalText(value), "\(length)")
        }
    }

    /// Bodies past every bound: the same limit is reported at the same place.
    @Test func oversizedBodiesAreRefusedAsTheCanonicalTextWas() throws {
        func nested(_ depth: Int) -> JSONValue {
            (0..<depth).reduce(JSONValue.string("x")) { inner, _ in .array([inner]) }
        }
        let long = String(repeating: "é", count: DocumentLimits.request.maxScalarLength + 1)
        let cases: [JSONValue] = [
            .object([("initiator", .string("a")), ("memo", nested(15))]),
            .object([("initiator", .string("a")), ("memo", nested(16))]),
            .object([("initiator", .string("a")), ("memo", nested(40)), ("amount", .string(long))]),
            .object([("initiator", .string("a")), ("memo", .string(long))]),
            .object([("initiator", .string("a")), (long, .string("x"))]),
            // YAML bounds a mapping key to 1024 characters, quotes and escapes included.
            .object([("initiator", .string("a")), ("call", .object([
                ("target", .string("t")), ("function", .string("f")),
                ("args", .object([(String(repeating: "é", count: 1023), .string("x")), ("b", .null)])),
            ])), ("memo", .string(long))]),
            .object([("initiator", .string("a")), ("memo", .object([(String(repeating: "\n", count: 600), .null)]))]),
            .object([("initiator", .string("a")), ("approvals", .array(Array(repeating: .string("b"), count: 10_001)))]),
            .object([("initiator", .string("a")), ("approvals", .array(Array(repeating: .array(Array(repeating: .string("b"), count: 10)), count: 10_000)))]),
            .object([("initiator", .string("a")), ("approvals", .array(Array(repeating: .number(1e20), count: 60_000)))]),
        ]
        for value in cases {
            let direct = Self.direct(value)
            #expect(direct.isRefused)
            #expect(direct == Self.throughCanonicalText(value))
        }
    }

    @Test(arguments: Array(UInt64(1)...UInt64(4)))
    func mutatedBodiesReadAsTheCanonicalTextDid(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let original = Array("""
            {"id": "r1", "initiator": "risk-bot", "vault": "hot-trading", "chain": "ethereum", "asset": "USDC",
             "amount": "250000", "fee": 0.004, "destination": "0x2e6d88f471c41bd6dc54146e5eea659498ccba8f",
             "call": {"target": "0x0abe23a52efa7614ca4f33e89f3b823169de9085", "function": "approve",
                      "args": {"spender": "0x0a9a15d91832ac6562b81934c847b8a31ad187b5"}, "amounts": {"amount": 5}},
             "operation": {"action": "freeze"}, "memo": [true, null, -1.5e3]}
            """.utf8)
        var compared = 0
        for _ in 0..<300 {
            guard let value = try? JSONParser().parse(FuzzTests.mutate(original, &rng)) else { continue }
            compared += 1
            #expect(Self.direct(value) == Self.throughCanonicalText(value))
        }
        #expect(compared > 20)
    }

    /// Text the YAML reader of earlier versions refused (DEL, C1 controls, noncharacters, line
    /// breaks in a name, names that are one text in two spellings) is refused from JSON too, so
    /// no request decided before reads differently now. Line and paragraph separators in a value,
    /// which that reader rewrote, are refused as well: a request decided on rewritten text is one
    /// nobody signed.
    @Test(arguments: [
        ("memo with DEL", #"{"initiator": "a", "memo": "top-up\u007f"}"#, true),
        ("memo with a C1 control", #"{"initiator": "a", "memo": "\u009b2J"}"#, true),
        ("memo with a noncharacter", #"{"initiator": "a", "memo": "\uffff"}"#, true),
        ("name with a line separator", #"{"initiator": "a", "call": {"function": "f", "args": {"to\u2028": "x"}}}"#, true),
        ("name with a next-line", #"{"initiator": "a", "call": {"function": "f", "args": {"to\u0085": "x"}}}"#, true),
        ("one name in two spellings", #"{"initiator": "a", "call": {"function": "f", "args": {"caf\u00e9": "1", "cafe\u0301": "2"}}}"#, true),
        ("destination with a paragraph separator", #"{"initiator": "a", "destination": "0xabc\u2029"}"#, false),
        ("memo with a next-line", #"{"initiator": "a", "memo": "a\u0085b"}"#, false),
    ])
    func textNoReaderAcceptedIsRefused(name: String, text: String, refusedBefore: Bool) throws {
        let value = try Self.parse(text)
        guard case .refused(let diagnostics) = Self.direct(value) else {
            Issue.record("\(name): accepted")
            return
        }
        #expect(diagnostics.contains { $0.contains("U+") || $0.contains("duplicate key") }, "\(name): \(diagnostics)")
        if refusedBefore { #expect(Self.throughCanonicalText(value).isRefused, "\(name): the YAML reader accepted it") }
    }
}
