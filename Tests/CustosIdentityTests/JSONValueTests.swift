import CustosCore
import Foundation
import Testing

/// One `JSONValue` for signatures, client data, EIP-712 and JSON-RPC: integers stay exact through
/// the parser and `Codable`, and the canonical bytes are those of the number's double whichever
/// kind holds it.
@Suite struct JSONValueTests {
    @Test func integersStayExactAndCanonicalizeAsTheirDouble() throws {
        let cases: [(String, JSONValue, String)] = [
            ("1", .integer(1), "1"), ("-0", .integer(0), "0"), ("0", .integer(0), "0"),
            ("1.0", .number(1), "1"), ("1e2", .number(100), "100"), ("-1.5E1", .number(-15), "-15"), ("0.5", .number(0.5), "0.5"),
            ("9007199254740993", .integer(9_007_199_254_740_993), "9007199254740992"),
            ("9223372036854775807", .integer(.max), "9223372036854776000"),
            ("-9223372036854775808", .integer(.min), "-9223372036854776000"),
            ("9223372036854775808", .number(9_223_372_036_854_775_808), "9223372036854776000"),
            ("100000000000000000000000", .number(1e23), "1e+23"),
        ]
        for (text, expected, canonical) in cases {
            let parsed = try JSONParser().parse(Array(text.utf8))
            #expect(parsed == expected, "\(text)")
            #expect(String(decoding: JCS.canonicalBytes(parsed), as: UTF8.self) == canonical, "\(text)")
            // The canonical bytes are those of the double RFC 8785 reads.
            let double = try #require(parsed.doubleValue)
            #expect(JCS.canonicalBytes(parsed) == JCS.canonicalBytes(.number(double)), "\(text)")
            // A `Decoder` does not show spelling: only integer literals and fractions compare.
            if case .integer = expected {} else if double == double.rounded() { continue }
            let decoded = try JSONDecoder().decode([JSONValue].self, from: Data("[\(text)]".utf8))
            #expect(decoded == [expected], "Codable reads \(text) as the parser does")
        }
        #expect(JSONValue.integer(1) != .number(1))
        #expect(JSONValue.integer(1).typeName == JSONValue.number(1).typeName)
    }

    @Test func codableObjectsComeInCanonicalOrderAndRoundTrip() throws {
        let text = #"{"b": 1, "a": [1.5, "x", null, true, 12345678901234567], "\u20ac": {}, "1": -2}"#
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(decoded.objectValue?.map(\.key) == ["1", "a", "b", "€"])
        #expect(decoded["a"] == .array([.number(1.5), .string("x"), .null, .bool(true), .integer(12_345_678_901_234_567)]))
        let parsed = try JSONParser().parse(Array(text.utf8))
        #expect(parsed.objectValue?.map(\.key) == ["b", "a", "€", "1"], "the parser keeps document order")
        #expect(JCS.canonicalBytes(decoded) == JCS.canonicalBytes(parsed))
        let reencoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(decoded))
        #expect(reencoded == decoded)
    }
}
