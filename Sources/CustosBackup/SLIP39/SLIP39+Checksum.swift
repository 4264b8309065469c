extension SLIP39 {
    /// SLIP-0039 "Checksum": the RS1024 generator, a Reed–Solomon code over GF(1024).
    private static let generator: [Int] = [
        0xE0E040, 0x1C1C080, 0x3838100, 0x7070200, 0xE0E0009, 0x1C0C2412, 0x38086C24, 0x3090FC48, 0x21B1F890, 0x3F3F120,
    ]

    /// The customization string: "shamir", or "shamir_extendable" for extendable share sets.
    private static func customization(extendable: Bool) -> [Int] {
        Array((extendable ? "shamir_extendable" : "shamir").utf8).map(Int.init)
    }

    private static func polymod(_ values: [Int]) -> Int {
        var checksum = 1
        for value in values {
            let top = checksum >> 20
            checksum = (checksum & 0xFFFFF) << 10 ^ value
            for bit in 0..<10 where top >> bit & 1 == 1 { checksum ^= generator[bit] }
        }
        return checksum
    }

    /// Whether `indices` (data words, then the three checksum words) carry a valid checksum.
    static func checksumHolds(_ indices: [Int], extendable: Bool) -> Bool {
        polymod(customization(extendable: extendable) + indices) == 1
    }

    /// The three checksum words of `data`.
    static func checksum(_ data: [Int], extendable: Bool) -> [Int] {
        let remainder = polymod(customization(extendable: extendable) + data + [0, 0, 0]) ^ 1
        return (0..<3).map { remainder >> (10 * (2 - $0)) & 1023 }
    }
}
