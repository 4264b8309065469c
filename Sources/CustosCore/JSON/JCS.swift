
/// The JSON Canonicalization Scheme (RFC 8785): the one byte string that every party derives
/// from a JSON value, so that a signature over it survives re-serialization.
///
/// - Object members sorted by their names' UTF-16 code units (§3.2.3), recursively.
/// - Strings escaped as ECMAScript's `JSON.stringify` does (§3.2.2.2): `\"`, `\\`, `\b`, `\f`,
///   `\n`, `\r`, `\t`, other controls as `\u00xx`; everything else as UTF-8.
/// - Numbers as ECMAScript's `Number.prototype.toString` (§3.2.2.3, ECMA-262 §7.1.12.1):
///   the shortest digits that round-trip, plain notation for exponents in [−6, 21), else
///   exponential notation; `-0` is `0`. An `integer` is written as its nearest double, as
///   RFC 8785 reads every number.
/// - No whitespace.
public enum JCS {
    /// Parses `json` strictly (I-JSON) and returns its canonical UTF-8 bytes.
    public static func canonicalize(_ json: [UInt8], parser: JSONParser = JSONParser()) throws(JSONError) -> [UInt8] {
        canonicalBytes(try parser.parse(json))
    }

    /// The canonical UTF-8 bytes of `value`.
    public static func canonicalBytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        append(value, sortingKeys: true, to: &out)
        return out
    }

    /// JCS formatting but with object members in document order: the compact JSON a browser
    /// writes for client data. Not canonical; never use it for signing input.
    public static func documentOrderBytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        append(value, sortingKeys: false, to: &out)
        return out
    }

    private static func append(_ value: JSONValue, sortingKeys: Bool, to out: inout [UInt8]) {
        switch value {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .integer(let i): out += Array(serialize(number: Double(i)).utf8)
        case .number(let d): out += Array(serialize(number: d).utf8)
        case .string(let s): appendString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                append(item, sortingKeys: sortingKeys, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let ordered = sortingKeys ? canonicalOrder(members) : members
            for (i, member) in ordered.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(member.value, sortingKeys: sortingKeys, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Object members sorted by their names' UTF-16 code units (§3.2.3): the order of the
    /// canonical form.
    public static func canonicalOrder(_ members: [(key: String, value: JSONValue)]) -> [(key: String, value: JSONValue)] {
        members.map { (units: Array($0.key.utf16), member: $0) }
            .sorted { $0.units.lexicographicallyPrecedes($1.units) }
            .map(\.member)
    }

    private static func appendString(_ s: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case 0x22: out += [0x5c, 0x22]
            case 0x5c: out += [0x5c, 0x5c]
            case 0x08: out += [0x5c, UInt8(ascii: "b")]
            case 0x0c: out += [0x5c, UInt8(ascii: "f")]
            case 0x0a: out += [0x5c, UInt8(ascii: "n")]
            case 0x0d: out += [0x5c, UInt8(ascii: "r")]
            case 0x09: out += [0x5c, UInt8(ascii: "t")]
            case 0x00..<0x20:
                out += Array("\\u00".utf8)
                out += [hex[Int(b >> 4)], hex[Int(b & 0x0f)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// ECMA-262 Number::toString for a finite double. Swift's `description` already yields the
    /// shortest round-tripping digits closest to the value (the digits ECMA-262 asks for);
    /// this only lays them out the ECMAScript way.
    public static func serialize(number value: Double) -> String {
        precondition(value.isFinite, "JSON numbers are finite; the parser refuses others")
        if value == 0 { return "0" }
        let sign = value < 0 ? "-" : ""
        let text = value.magnitude.description

        // Split Swift's output ("1.5", "1e-07", "1.7976931348623157e+308") into digits and exponent.
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits: [Character] = []
        var pointPosition: Int? = nil
        for c in mantissa {
            if c == "." { pointPosition = digits.count } else { digits.append(c) }
        }
        // value = 0.d1d2…dk × 10^n, with leading and trailing zeros removed.
        var n = (pointPosition ?? digits.count) + exponent
        while digits.first == "0" {
            digits.removeFirst()
            n -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        let k = digits.count
        let s = String(digits)

        if k <= n && n <= 21 {
            return sign + s + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            let i = s.index(s.startIndex, offsetBy: n)
            return sign + s[..<i] + "." + s[i...]
        }
        if -6 < n && n <= 0 {
            return sign + "0." + String(repeating: "0", count: -n) + s
        }
        let e = n - 1
        let exponentText = (e >= 0 ? "+" : "-") + String(e.magnitude)
        if k == 1 { return sign + s + "e" + exponentText }
        return sign + String(digits[0]) + "." + String(digits[1...]) + "e" + exponentText
    }
}
