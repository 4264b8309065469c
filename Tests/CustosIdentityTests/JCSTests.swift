import CustosCore
import CustosCrypto
import CustosIdentity
import CustosTestSupport
import Foundation
import Testing

@Suite("RFC 8785 JSON canonicalization")
struct JCSTests {
    func canonical(_ text: String) throws -> String {
        String(decoding: try JCS.canonicalize(Array(text.utf8)), as: UTF8.self)
    }

    @Test("RFC 8785 §3.2.2 example: literals, numbers and string escaping")
    func mainExample() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50,
                          2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try canonical(input) == expected)
    }

    @Test("RFC 8785 §3.2.3 example: members sorted by UTF-16 code units")
    func sorting() throws {
        let input = #"""
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """#
        let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        #expect(try canonical(input) == expected)
        // U+FB33 precedes U+1F600 in scalar order but follows its high surrogate 0xD83D in UTF-16 order.
        #expect(try canonical(#"{"\ufb33":1,"\ud83d\ude00":2}"#) == "{\"😀\":2,\"\u{fb33}\":1}")
    }

    /// RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript serialization.
    static let numberVectors: [(bits: String, text: String)] = [
        ("0000000000000000", "0"), ("8000000000000000", "0"), ("0000000000000001", "5e-324"),
        ("8000000000000001", "-5e-324"), ("7fefffffffffffff", "1.7976931348623157e+308"),
        ("ffefffffffffffff", "-1.7976931348623157e+308"), ("4340000000000000", "9007199254740992"),
        ("c340000000000000", "-9007199254740992"), ("4430000000000000", "295147905179352830000"),
        ("44b52d02c7e14af5", "9.999999999999997e+22"), ("44b52d02c7e14af6", "1e+23"),
        ("44b52d02c7e14af7", "1.0000000000000001e+23"), ("444b1ae4d6e2ef4e", "999999999999999700000"),
        ("444b1ae4d6e2ef4f", "999999999999999900000"), ("444b1ae4d6e2ef50", "1e+21"),
        ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"), ("3eb0c6f7a0b5ed8d", "0.000001"),
        ("41b3de4355555553", "333333333.3333332"), ("41b3de4355555554", "333333333.33333325"),
        ("41b3de4355555555", "333333333.3333333"), ("41b3de4355555556", "333333333.3333334"),
        ("41b3de4355555557", "333333333.33333343"), ("becbf647612f3696", "-0.0000033333333333333333"),
        ("43143ff3c1cb0959", "1424953923781206.2"),
    ]

    @Test("RFC 8785 Appendix B number serialization", arguments: numberVectors)
    func numbers(vector: (bits: String, text: String)) throws {
        let bits = try [UInt8](hex: vector.bits).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(JCS.serialize(number: Double(bitPattern: bits)) == vector.text, "\(vector.bits)")
        // The serialization parses back to the same double.
        if case .number(let d) = try JSONParser().parse(Array(vector.text.utf8)) {
            #expect(d == Double(bitPattern: bits) || (d == 0 && Double(bitPattern: bits) == 0))
        }
    }

    @Test("More numbers: integers, exponents at the plain/exponential boundaries")
    func moreNumbers() {
        let cases: [(Double, String)] = [
            (1, "1"), (-1, "-1"), (10, "10"), (100, "100"), (1e20, "100000000000000000000"), (1e21, "1e+21"),
            (123e18, "123000000000000000000"), (1.5, "1.5"), (0.1, "0.1"), (1e-6, "0.000001"), (1e-7, "1e-7"),
            (1.25e-7, "1.25e-7"), (1.2345678901234568e20, "123456789012345680000"), (Double(bitPattern: 1), "5e-324"),
            (1700000000000, "1700000000000"), (-0.0, "0"), (2.5e+25, "2.5e+25"),
        ]
        for (value, text) in cases {
            #expect(JCS.serialize(number: value) == text, "\(value)")
        }
    }

    @Test("Control characters are escaped in lowercase \\u00xx; other characters pass through")
    func strings() throws {
        #expect(try canonical(#"["\u001f\u007f\u2028\ud800\udc00"]"#) == "[\"\\u001f\u{7f}\u{2028}\u{10000}\"]")
        #expect(try canonical(#""\b\f\n\r\t\/""#) == #""\b\f\n\r\t/""#)
    }

    @Test("The parser refuses what I-JSON refuses")
    func refusals() {
        #expect(jsonCode(#"{"a":1,"a":2}"#) == .duplicateKey)
        #expect(jsonCode(#"{"a":{"b":1,"b":1}}"#) == .duplicateKey)
        #expect(jsonCode(#"["\ud800"]"#) == .invalidString)
        #expect(jsonCode(#"["\udc00\ud800"]"#) == .invalidString)
        #expect(jsonCode(#"["\ud800\u0041"]"#) == .invalidString)
        #expect(jsonCode("[\"\u{01}\"]") == .invalidString)
        #expect(jsonCode(#"["\x"]"#) == .invalidString)
        #expect(jsonCode("[1e400]") == .invalidNumber)
        #expect(jsonCode("[-1e400]") == .invalidNumber)
        for bad in ["[01]", "[1.]", "[.5]", "[+1]", "[1e]", "[-]", "[NaN]", "[Infinity]", "[0x10]", "{a:1}", "{\"a\" 1}", "[1,]", "{\"a\":1,}", "[", "", "tru", "nul", "'a'"] {
            #expect(jsonCode(bad) == .syntax, "\(bad)")
        }
        #expect(jsonCode("[1] [2]") == .trailingBytes)
        #expect(jsonCode(String(repeating: "[", count: 40) + String(repeating: "]", count: 40)) == .tooDeep)
        #expect(jsonCode(String(repeating: "[", count: 100_000)) == .tooDeep)
        #expect(jsonCode("[1]", JSONParser(maxInputBytes: 2)) == .tooLarge)
        #expect(jsonCode("[\"\u{e9}\"]") == nil)
        do {
            _ = try JSONParser().parse([0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d])
            Issue.record("invalid UTF-8 accepted")
        } catch {
            #expect(error.code == .invalidUTF8)
        }
    }

    @Test("Canonicalization is idempotent and ignores whitespace and member order", arguments: 0..<50)
    func idempotent(seed: Int) throws {
        var rng = SeededGenerator(seed: UInt64(seed) &+ 1000)
        let text = randomJSON(&rng, depth: 0)
        let once = try JCS.canonicalize(Array(text.utf8))
        #expect(try JCS.canonicalize(once) == once)
    }
}

/// A random JSON text with awkward strings, numbers and nesting, for canonicalization tests.
func randomJSON(_ rng: inout SeededGenerator, depth: Int) -> String {
    let pieces = ["a", "B", "é", "€", "\u{fb33}", "\\n", "\\u0000", "\\u001F", "\\\"", "\\\\", "\\/", "\\ud83d\\ude00", " ", "\u{7f}", "\u{2028}", "1"]
    func string(_ rng: inout SeededGenerator) -> String {
        "\"" + (0..<Int.random(in: 0..<6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined() + "\""
    }
    func number(_ rng: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: return String(Int.random(in: -1_000_000...1_000_000, using: &rng))
        case 1: return "\(Int.random(in: -999...999, using: &rng)).\(Int.random(in: 0...99999, using: &rng))e\(Int.random(in: -30...30, using: &rng))"
        case 2:
            var d: Double
            repeat { d = Double(bitPattern: rng.next()) } while !d.isFinite
            return "\(d)".replacingOccurrences(of: "e+", with: "E")
        case 3: return "0.\(String(repeating: "0", count: Int.random(in: 0...9, using: &rng)))\(Int.random(in: 1...999, using: &rng))"
        default: return "\(Int.random(in: 0...9, using: &rng))e\(Int.random(in: 15...25, using: &rng))"
        }
    }
    let ws = [" ", "", "\n  ", "\t"].randomElement(using: &rng)!
    switch Int.random(in: 0..<(depth < 3 ? 7 : 5), using: &rng) {
    case 0: return ["null", "true", "false"].randomElement(using: &rng)!
    case 1, 2: return number(&rng)
    case 3, 4: return string(&rng)
    case 5: return "[" + ws + (0..<Int.random(in: 0..<4, using: &rng)).map { _ in randomJSON(&rng, depth: depth + 1) }.joined(separator: "," + ws) + "]"
    default:
        var keys: Set<String> = []
        var members: [String] = []
        for _ in 0..<Int.random(in: 0..<5, using: &rng) {
            let k = string(&rng)
            if keys.insert(k).inserted { members.append(k + ws + ":" + randomJSON(&rng, depth: depth + 1)) }
        }
        return "{" + ws + members.joined(separator: "," + ws) + "}"
    }
}
