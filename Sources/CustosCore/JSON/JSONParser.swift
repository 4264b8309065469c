
/// A strict JSON parser (RFC 8259) that also enforces I-JSON (RFC 7493): valid UTF-8, no
/// duplicate member names, no lone surrogates, numbers that fit a double. Whatever the input, it
/// returns a value or throws a `JSONError`; it never traps and never nests deeper than `maxDepth`.
/// Members keep their document order; an integer literal that fits 64 bits is an `integer`,
/// any other number a `number` (see `JSONValue`).
public struct JSONParser: Sendable {
    public var maxDepth: Int
    public var maxInputBytes: Int

    public init(maxDepth: Int = 32, maxInputBytes: Int = 1 << 20) {
        self.maxDepth = maxDepth
        self.maxInputBytes = maxInputBytes
    }

    public func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        guard bytes.count <= maxInputBytes else {
            throw JSONError(.tooLarge, "input of \(bytes.count) bytes exceeds the limit of \(maxInputBytes)")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw JSONError(.invalidUTF8, "input is not valid UTF-8")
        }
        var p = Cursor(bytes: bytes)
        p.skipWhitespace()
        let value = try self.value(&p, depth: 1)
        p.skipWhitespace()
        guard p.offset == bytes.count else {
            throw JSONError(.trailingBytes, "unexpected data at offset \(p.offset) after the value")
        }
        return value
    }

    private struct Cursor {
        let bytes: [UInt8]
        var offset = 0

        var peek: UInt8? { offset < bytes.count ? bytes[offset] : nil }

        mutating func skipWhitespace() {
            while let c = peek, c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d { offset += 1 }
        }

        mutating func expect(_ c: UInt8, _ what: String) throws(JSONError) {
            guard peek == c else { throw unexpected(what) }
            offset += 1
        }

        func unexpected(_ what: String) -> JSONError {
            if offset >= bytes.count {
                return JSONError(.syntax, "input ends at offset \(offset); expected \(what)")
            }
            return JSONError(.syntax, "unexpected byte 0x\(String(bytes[offset], radix: 16)) at offset \(offset); expected \(what)")
        }
    }

    private func value(_ p: inout Cursor, depth: Int) throws(JSONError) -> JSONValue {
        guard depth <= maxDepth else {
            throw JSONError(.tooDeep, "nesting deeper than \(maxDepth) at offset \(p.offset)")
        }
        guard let c = p.peek else { throw p.unexpected("a value") }
        switch c {
        case UInt8(ascii: "{"): return try object(&p, depth: depth)
        case UInt8(ascii: "["): return try array(&p, depth: depth)
        case UInt8(ascii: "\""): return .string(try string(&p))
        case UInt8(ascii: "t"): try literal(&p, "true"); return .bool(true)
        case UInt8(ascii: "f"): try literal(&p, "false"); return .bool(false)
        case UInt8(ascii: "n"): try literal(&p, "null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number(&p)
        default: throw p.unexpected("a value")
        }
    }

    private func literal(_ p: inout Cursor, _ word: String) throws(JSONError) {
        for c in word.utf8 { try p.expect(c, "'\(word)'") }
    }

    private func object(_ p: inout Cursor, depth: Int) throws(JSONError) -> JSONValue {
        let start = p.offset
        p.offset += 1
        var members: [(key: String, value: JSONValue)] = []
        var seen: Set<[UInt8]> = []
        p.skipWhitespace()
        if p.peek == UInt8(ascii: "}") {
            p.offset += 1
            return .object(members)
        }
        while true {
            p.skipWhitespace()
            guard p.peek == UInt8(ascii: "\"") else { throw p.unexpected("a member name") }
            let keyOffset = p.offset
            let key = try string(&p)
            guard seen.insert(Array(key.utf8)).inserted else {
                throw JSONError(.duplicateKey, "object at offset \(start) repeats the member \"\(key.printable(limit: 64))\" at offset \(keyOffset)")
            }
            p.skipWhitespace()
            try p.expect(UInt8(ascii: ":"), "':'")
            p.skipWhitespace()
            members.append((key, try value(&p, depth: depth + 1)))
            p.skipWhitespace()
            if p.peek == UInt8(ascii: ",") {
                p.offset += 1
                continue
            }
            try p.expect(UInt8(ascii: "}"), "',' or '}'")
            return .object(members)
        }
    }

    private func array(_ p: inout Cursor, depth: Int) throws(JSONError) -> JSONValue {
        p.offset += 1
        var elements: [JSONValue] = []
        p.skipWhitespace()
        if p.peek == UInt8(ascii: "]") {
            p.offset += 1
            return .array(elements)
        }
        while true {
            p.skipWhitespace()
            elements.append(try value(&p, depth: depth + 1))
            p.skipWhitespace()
            if p.peek == UInt8(ascii: ",") {
                p.offset += 1
                continue
            }
            try p.expect(UInt8(ascii: "]"), "',' or ']'")
            return .array(elements)
        }
    }

    private func string(_ p: inout Cursor) throws(JSONError) -> String {
        let start = p.offset
        p.offset += 1
        var out: [UInt8] = []
        while true {
            guard let c = p.peek else {
                throw JSONError(.syntax, "string at offset \(start) is not terminated")
            }
            p.offset += 1
            switch c {
            case UInt8(ascii: "\""):
                // The input was validated as UTF-8 and escapes append whole scalars.
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = p.peek else { throw JSONError(.syntax, "string at offset \(start) is not terminated") }
                p.offset += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5c)
                case UInt8(ascii: "/"): out.append(0x2f)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    let escapeOffset = p.offset - 2
                    let unit = try hex4(&p)
                    var scalarValue = UInt32(unit)
                    if (0xD800...0xDBFF).contains(unit) {
                        guard p.peek == UInt8(ascii: "\\"),
                            p.offset + 1 < p.bytes.count, p.bytes[p.offset + 1] == UInt8(ascii: "u")
                        else {
                            throw JSONError(.invalidString, "lone high surrogate escape at offset \(escapeOffset)")
                        }
                        p.offset += 2
                        let low = try hex4(&p)
                        guard (0xDC00...0xDFFF).contains(low) else {
                            throw JSONError(.invalidString, "high surrogate at offset \(escapeOffset) is not followed by a low surrogate")
                        }
                        scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(unit) {
                        throw JSONError(.invalidString, "lone low surrogate escape at offset \(escapeOffset)")
                    }
                    guard let scalar = Unicode.Scalar(scalarValue) else {
                        throw JSONError(.invalidString, "invalid escape at offset \(escapeOffset)")
                    }
                    out += Array(String(Character(scalar)).utf8)
                default:
                    throw JSONError(.invalidString, "unknown escape '\\\(Character(Unicode.Scalar(e)))' at offset \(p.offset - 2)")
                }
            case 0x00..<0x20:
                throw JSONError(.invalidString, "raw control character 0x\(String(c, radix: 16)) in string at offset \(p.offset - 1)")
            default:
                out.append(c)
            }
        }
    }

    private func hex4(_ p: inout Cursor) throws(JSONError) -> UInt16 {
        var v: UInt16 = 0
        for _ in 0..<4 {
            guard let c = p.peek else { throw JSONError(.syntax, "input ends inside a \\u escape") }
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw JSONError(.invalidString, "not a hex digit in a \\u escape at offset \(p.offset)")
            }
            v = v << 4 | UInt16(d)
            p.offset += 1
        }
        return v
    }

    /// RFC 8259 §6 number grammar; an integer literal that fits 64 bits is kept exactly, any
    /// other number is correctly rounded to a double.
    private func number(_ p: inout Cursor) throws(JSONError) -> JSONValue {
        let start = p.offset
        func digits(_ p: inout Cursor) -> Int {
            var n = 0
            while let c = p.peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
                p.offset += 1
                n += 1
            }
            return n
        }
        if p.peek == UInt8(ascii: "-") { p.offset += 1 }
        if p.peek == UInt8(ascii: "0") {
            p.offset += 1
        } else if digits(&p) == 0 {
            throw p.unexpected("a digit")
        }
        var isInteger = true
        if p.peek == UInt8(ascii: ".") {
            p.offset += 1
            isInteger = false
            guard digits(&p) > 0 else { throw p.unexpected("a digit after '.'") }
        }
        if p.peek == UInt8(ascii: "e") || p.peek == UInt8(ascii: "E") {
            p.offset += 1
            isInteger = false
            if p.peek == UInt8(ascii: "+") || p.peek == UInt8(ascii: "-") { p.offset += 1 }
            guard digits(&p) > 0 else { throw p.unexpected("a digit in the exponent") }
        }
        let text = String(decoding: p.bytes[start..<p.offset], as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .integer(integer) }
        guard let value = Double(text), value.isFinite else {
            throw JSONError(.invalidNumber, "number \(text.prefix(40)) at offset \(start) does not fit a double")
        }
        return .number(value)
    }
}
