/// Encodes CBOR in CTAP2 canonical form (RFC 8949 §4.2.1 shortest arguments; map keys sorted
/// shorter-encoding-first, then bytewise). Used by the software authenticator to produce the
/// same bytes a hardware authenticator would.
public enum CBOREncoder {
    public static func encode(_ value: CBORValue) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }

    private static func append(_ value: CBORValue, to out: inout [UInt8]) {
        switch value {
        case .unsigned(let n): header(0, n, &out)
        case .negative(let n): header(1, n, &out)
        case .bytes(let b):
            header(2, UInt64(b.count), &out)
            out += b
        case .text(let t):
            header(3, UInt64(t.utf8.count), &out)
            out += t.utf8
        case .array(let items):
            header(4, UInt64(items.count), &out)
            for item in items { append(item, to: &out) }
        case .map(let entries):
            header(5, UInt64(entries.count), &out)
            let encoded = entries.map { (key: encode($0.key), value: encode($0.value)) }
            for entry in encoded.sorted(by: { CBORDecoder.canonicallyBefore($0.key[...], $1.key[...]) }) {
                out += entry.key
                out += entry.value
            }
        case .bool(let b): out.append(b ? 0xf5 : 0xf4)
        case .null: out.append(0xf6)
        }
    }

    private static func header(_ major: UInt8, _ argument: UInt64, _ out: inout [UInt8]) {
        let m = major << 5
        switch argument {
        case 0..<24: out.append(m | UInt8(argument))
        case 24...0xff: out += [m | 24, UInt8(argument)]
        case 0x100...0xffff: out += [m | 25, UInt8(argument >> 8), UInt8(argument & 0xff)]
        case 0x1_0000...0xffff_ffff:
            out.append(m | 26)
            for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8((argument >> UInt64(shift)) & 0xff)) }
        default:
            out.append(m | 27)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((argument >> UInt64(shift)) & 0xff)) }
        }
    }
}
