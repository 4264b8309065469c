import CustosCore

/// A strict decoder for the CBOR subset WebAuthn uses (RFC 8949; CTAP2 §6 canonical form).
///
/// Promises, on any input whatsoever: it returns a value or throws a `CBORError`; it never traps,
/// never recurses deeper than `maxDepth`, and never allocates more than the input could hold
/// (an announced length is checked against the bytes that remain before anything is reserved).
/// Definite lengths only; arguments must be in their shortest form; map keys are integers,
/// byte strings or text strings, never repeated; tags, floats and other simple values are refused.
public struct CBORDecoder: Sendable {
    /// How map keys must be ordered.
    public enum KeyOrder: Sendable {
        /// Any order (duplicates are still refused).
        case any
        /// CTAP2 canonical order: shorter encoded key first, then bytewise (RFC 7049 §3.9).
        case ctap2Canonical
    }

    public var maxDepth: Int
    public var maxInputBytes: Int
    public var keyOrder: KeyOrder

    public init(maxDepth: Int = 16, maxInputBytes: Int = 64 * 1024, keyOrder: KeyOrder = .any) {
        self.maxDepth = maxDepth
        self.maxInputBytes = maxInputBytes
        self.keyOrder = keyOrder
    }

    /// Decodes exactly one item that spans all of `bytes`; bytes after it are `trailingBytes`.
    public func decode(_ bytes: [UInt8]) throws(CBORError) -> CBORValue {
        let (value, end) = try decodePrefix(bytes)
        guard end == bytes.count else {
            throw CBORError(
                .trailingBytes, "\(bytes.count - end) byte(s) after the item that ends at offset \(end)")
        }
        return value
    }

    /// Decodes the one item that starts at `start` and returns it with the offset just past it.
    /// Used where CBOR is followed by other data (a COSE key inside authenticator data).
    public func decodePrefix(
        _ bytes: [UInt8], from start: Int = 0
    ) throws(CBORError) -> (value: CBORValue, end: Int) {
        guard bytes.count <= maxInputBytes else {
            throw CBORError(.tooLarge, "input of \(bytes.count) bytes exceeds the limit of \(maxInputBytes)")
        }
        guard start >= 0, start <= bytes.count else {
            throw CBORError(.truncated, "no item at offset \(start)")
        }
        var reader = Reader(bytes: bytes, offset: start)
        let value = try item(&reader, depth: 1)
        return (value, reader.offset)
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset: Int

        var remaining: Int { bytes.count - offset }

        mutating func byte(_ what: String) throws(CBORError) -> UInt8 {
            guard offset < bytes.count else {
                throw CBORError(.truncated, "input ends at offset \(offset) where \(what) was expected")
            }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func take(_ count: Int, _ what: String) throws(CBORError) -> ArraySlice<UInt8> {
            guard count <= remaining else {
                throw CBORError(
                    .truncated,
                    "\(what) at offset \(offset) needs \(count) bytes but only \(remaining) remain")
            }
            defer { offset += count }
            return bytes[offset..<(offset + count)]
        }
    }

    private func item(_ r: inout Reader, depth: Int) throws(CBORError) -> CBORValue {
        guard depth <= maxDepth else {
            throw CBORError(.tooDeep, "nesting deeper than \(maxDepth) at offset \(r.offset)")
        }
        let at = r.offset
        let initial = try r.byte("an item")
        let major = initial >> 5
        let info = initial & 0x1f

        if major == 7 {
            switch info {
            case 20: return .bool(false)
            case 21: return .bool(true)
            case 22: return .null
            case 31: throw CBORError(.indefiniteLength, "stray break byte 0xff at offset \(at)")
            case 25, 26, 27: throw CBORError(.unsupportedType, "floating-point number at offset \(at)")
            case 28, 29, 30: throw CBORError(.reserved, "reserved additional information \(info) at offset \(at)")
            default: throw CBORError(.unsupportedType, "simple value (additional information \(info)) at offset \(at)")
            }
        }
        if info == 31 {
            throw CBORError(.indefiniteLength, "indefinite-length item (major type \(major)) at offset \(at)")
        }
        let argument = try self.argument(info: info, &r, at: at)

        switch major {
        case 0:
            return .unsigned(argument)
        case 1:
            return .negative(argument)
        case 2:
            let count = try length(argument, unit: 1, &r, at: at, "byte string")
            return .bytes(Array(try r.take(count, "byte string")))
        case 3:
            let count = try length(argument, unit: 1, &r, at: at, "text string")
            let raw = try r.take(count, "text string")
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw CBORError(.invalidUTF8, "text string at offset \(at) is not valid UTF-8")
            }
            return .text(text)
        case 4:
            // Every element takes at least one byte.
            let count = try length(argument, unit: 1, &r, at: at, "array")
            var elements: [CBORValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(try item(&r, depth: depth + 1)) }
            return .array(elements)
        case 5:
            // Every entry takes at least two bytes.
            let count = try length(argument, unit: 2, &r, at: at, "map")
            var entries: [(key: CBORValue, value: CBORValue)] = []
            entries.reserveCapacity(count)
            var seen: Set<CBORValue> = []
            var previousKeyBytes: ArraySlice<UInt8>? = nil
            for _ in 0..<count {
                let keyStart = r.offset
                let key = try item(&r, depth: depth + 1)
                switch key {
                case .unsigned, .negative, .bytes, .text: break
                default:
                    throw CBORError(.unsupportedType, "map key of type \(key.typeName) at offset \(keyStart)")
                }
                guard seen.insert(key).inserted else {
                    throw CBORError(.duplicateKey, "map at offset \(at) repeats a key at offset \(keyStart)")
                }
                if keyOrder == .ctap2Canonical {
                    let keyBytes = r.bytes[keyStart..<r.offset]
                    if let previous = previousKeyBytes, !Self.canonicallyBefore(previous, keyBytes) {
                        throw CBORError(
                            .unsortedKeys, "map at offset \(at): key at offset \(keyStart) is out of canonical order")
                    }
                    previousKeyBytes = keyBytes
                }
                let value = try item(&r, depth: depth + 1)
                entries.append((key, value))
            }
            return .map(entries)
        default:  // 6
            throw CBORError(.unsupportedType, "tag \(argument) at offset \(at)")
        }
    }

    /// The argument of an item header, refusing non-shortest encodings.
    private func argument(info: UInt8, _ r: inout Reader, at: Int) throws(CBORError) -> UInt64 {
        let width: Int
        switch info {
        case 0..<24: return UInt64(info)
        case 24: width = 1
        case 25: width = 2
        case 26: width = 4
        case 27: width = 8
        default:
            throw CBORError(.reserved, "reserved additional information \(info) at offset \(at)")
        }
        var value: UInt64 = 0
        for b in try r.take(width, "item argument") { value = value << 8 | UInt64(b) }
        let minimum: UInt64
        switch width {
        case 1: minimum = 24
        case 2: minimum = 0x100
        case 4: minimum = 0x1_0000
        default: minimum = 0x1_0000_0000
        }
        guard value >= minimum else {
            throw CBORError(
                .nonCanonical, "argument \(value) at offset \(at) is not in its shortest form (\(width) bytes)")
        }
        return value
    }

    /// A string, array or map length, where each counted unit needs at least `unit` bytes:
    /// more than the input limit could ever hold is `tooLarge`, more than what remains is
    /// `truncated`. Checked before anything is allocated.
    private func length(
        _ argument: UInt64, unit: UInt64, _ r: inout Reader, at: Int, _ what: String
    ) throws(CBORError) -> Int {
        guard argument <= UInt64(maxInputBytes) / unit else {
            throw CBORError(.tooLarge, "\(what) at offset \(at) announces \(argument) elements or bytes, beyond any input")
        }
        guard argument * unit <= UInt64(r.remaining) else {
            throw CBORError(
                .truncated, "\(what) at offset \(at) announces \(argument) elements or bytes; only \(r.remaining) bytes remain")
        }
        return Int(argument)
    }

    /// CTAP2 canonical key order: the shorter encoding first, then lexicographic bytes.
    static func canonicallyBefore(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        if a.count != b.count { return a.count < b.count }
        return a.lexicographicallyPrecedes(b)
    }
}
