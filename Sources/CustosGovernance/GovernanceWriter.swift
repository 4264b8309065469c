/// The canonical binary encoding of governance payloads, genesis documents and state digests:
/// big-endian fixed-width integers, 32-bit length-prefixed byte and UTF-8 strings, counted lists.
/// Every value has exactly one encoding, so digests are the same on every node.
struct GovernanceWriter {
    private(set) var bytes: [UInt8] = []

    init(tag: String) {
        append(tag)
    }

    mutating func append(_ value: UInt8) { bytes.append(value) }

    mutating func append(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func append(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func append(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func append(_ raw: [UInt8]) {
        append(UInt32(raw.count))
        bytes.append(contentsOf: raw)
    }

    mutating func append(_ text: String) { append(Array(text.utf8)) }

    mutating func append(_ strings: [String]) {
        append(UInt32(strings.count))
        for s in strings { append(s) }
    }

    mutating func append(optional raw: [UInt8]?) {
        if let raw {
            append(UInt8(1))
            append(raw)
        } else {
            append(UInt8(0))
        }
    }
}
