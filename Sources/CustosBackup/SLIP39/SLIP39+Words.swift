import CustosCore
import CustosCrypto

extension SLIP39 {
    /// The 10-bit value of `word`, or nil when it is not in the list.
    static func wordIndex(_ word: String) -> Int? {
        var low = 0
        var high = words.count
        while low < high {
            let middle = (low + high) / 2
            if words[middle] < word { low = middle + 1 } else { high = middle }
        }
        return low < words.count && words[low] == word ? low : nil
    }

    /// A share value as 10-bit words: left-padded with zero bits to a multiple of 10 bits,
    /// big-endian (SLIP-0039 "padded share value").
    static func packValue(_ value: SecretBytes) -> [Int] {
        let bitCount = value.count * 8
        var accumulator = 0
        var pending = (10 - bitCount % 10) % 10
        var out: [Int] = []
        value.withUnsafeBytes { bytes in
            for byte in bytes {
                accumulator = accumulator << 8 | Int(byte)
                pending += 8
                while pending >= 10 {
                    pending -= 10
                    out.append(accumulator >> pending & 1023)
                    accumulator &= (1 << pending) - 1
                }
            }
        }
        accumulator = 0
        return out
    }

    /// The share value of the padded share value words; refuses nonzero padding bits.
    static func unpackValue(_ indices: ArraySlice<Int>, paddingBits: Int) throws(BackupError) -> SecretBytes {
        var bytes: [UInt8] = []
        defer { Sodium.memzero(&bytes) }
        var accumulator = 0
        var pending = 0
        var padding = paddingBits
        var paddingIsZero = true
        for index in indices {
            accumulator = accumulator << 10 | index
            pending += 10
            if padding > 0 {
                pending -= padding
                paddingIsZero = paddingIsZero && accumulator >> pending == 0
                accumulator &= (1 << pending) - 1
                padding = 0
            }
            while pending >= 8 {
                pending -= 8
                bytes.append(UInt8(accumulator >> pending))
                accumulator &= (1 << pending) - 1
            }
        }
        guard paddingIsZero else { throw BackupError(.invalidPadding, "the share value's padding bits are not zero") }
        return SecretBytes(bytes)
    }
}
