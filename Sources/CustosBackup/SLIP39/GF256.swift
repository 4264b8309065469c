/// GF(2^8) with the Rijndael polynomial x^8 + x^4 + x^3 + x + 1, the field SLIP-0039 shares
/// over. Multiplication is branch-free and table-free, so that secret share bytes never pick a
/// memory address or a branch.
enum GF256 {
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var a = a
        var b = b
        var product: UInt8 = 0
        for _ in 0..<8 {
            product ^= a & (0 &- (b & 1))
            let carry = 0 &- (a >> 7)
            a = a << 1 ^ (0x1B & carry)
            b >>= 1
        }
        return product
    }

    /// The inverse of a nonzero element: a^254, since a^255 = 1.
    static func inverse(_ a: UInt8) -> UInt8 {
        var result: UInt8 = 1
        var base = a
        var exponent = 254
        while exponent > 0 {
            if exponent & 1 == 1 { result = multiply(result, base) }
            base = multiply(base, base)
            exponent >>= 1
        }
        return result
    }
}
