struct LedgerWriter {
    private(set) var bytes: [UInt8] = []

    init() {}

    init(kind: UInt8) { bytes = [LedgerWire.version, kind] }

    mutating func reserve(_ count: Int) { bytes.reserveCapacity(count) }

    mutating func append(raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

    mutating func append(_ value: UInt8) { bytes.append(value) }

    mutating func append(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xff))
    }

    mutating func append(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func append(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func append(_ hash: LedgerHash) { bytes.append(contentsOf: hash.bytes) }

    /// A byte string behind a 32-bit length.
    mutating func append(lengthPrefixed raw: [UInt8]) {
        append(UInt32(raw.count))
        bytes.append(contentsOf: raw)
    }

    /// A short string behind an 8-bit length.
    mutating func append(shortString: String) {
        let utf8 = Array(shortString.utf8)
        precondition(utf8.count <= Int(UInt8.max))
        append(UInt8(utf8.count))
        bytes.append(contentsOf: utf8)
    }
}
