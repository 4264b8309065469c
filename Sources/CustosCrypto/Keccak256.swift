/// Keccak-256 as Ethereum uses it: the Keccak-f[1600] sponge with rate 1088 bits and the
/// original Keccak padding (domain byte 0x01), not FIPS 202 SHA3-256 (0x06). Ethereum
/// addresses, transaction hashes, ABI selectors and EIP-712 digests are all this function.
///
/// Incremental use: `var h = Keccak256(); h.update(a); h.update(b); let d = h.finalize()`.
/// One-shot: `Keccak256.hash(bytes)`.
public struct Keccak256: Sendable {
    /// Rate in bytes: (1600 - 2 × 256) / 8.
    public static let blockSize = 136
    public static let digestSize = 32

    private var state = [UInt64](repeating: 0, count: 25)
    private var buffer = [UInt8](repeating: 0, count: 136)
    private var buffered = 0

    public init() {}

    /// The 32-byte digest of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = Keccak256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Absorbs more input.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        if let done = bytes.withContiguousStorageIfAvailable({ update(buffer: UnsafeRawBufferPointer($0)) }) {
            return done
        }
        let array = Array(bytes)
        array.withUnsafeBytes { update(buffer: $0) }
    }

    private mutating func update(buffer input: UnsafeRawBufferPointer) {
        var offset = 0
        let count = input.count
        // Fill a partially filled block first.
        if buffered > 0 {
            let take = min(Self.blockSize - buffered, count)
            for i in 0..<take { buffer[buffered + i] = input[i] }
            buffered += take
            offset = take
            if buffered == Self.blockSize {
                buffer.withUnsafeBytes { absorb(block: $0) }
                buffered = 0
            }
        }
        // Whole blocks straight from the input.
        while count - offset >= Self.blockSize {
            absorb(block: UnsafeRawBufferPointer(rebasing: input[offset..<(offset + Self.blockSize)]))
            offset += Self.blockSize
        }
        // Keep the tail.
        let tail = count - offset
        for i in 0..<tail { buffer[i] = input[offset + i] }
        buffered += tail
    }

    /// Pads, permutes and returns the 32-byte digest. The hasher is consumed.
    public consuming func finalize() -> [UInt8] {
        for i in buffered..<Self.blockSize { buffer[i] = 0 }
        buffer[buffered] ^= 0x01
        buffer[Self.blockSize - 1] ^= 0x80
        buffer.withUnsafeBytes { absorb(block: $0) }
        var out = [UInt8](repeating: 0, count: Self.digestSize)
        for lane in 0..<4 {
            let word = state[lane]
            for b in 0..<8 { out[lane * 8 + b] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(b))) }
        }
        return out
    }

    private mutating func absorb(block: UnsafeRawBufferPointer) {
        state.withUnsafeMutableBufferPointer { lanes in
            for i in 0..<(Self.blockSize / 8) {
                var word: UInt64 = 0
                for b in 0..<8 { word |= UInt64(block[i * 8 + b]) << (8 * UInt64(b)) }
                lanes[i] ^= word
            }
            Self.permute(lanes)
        }
    }

    private static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    @inline(__always)
    private static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x &<< n) | (x &>> (64 &- n)) }

    /// Keccak-f[1600]: 24 rounds of θ, ρ, π, χ, ι, unrolled over the 25 lanes held in locals
    /// (lane index x + 5y; ρ offsets and π placement from FIPS 202 §3.2).
    private static func permute(_ a: UnsafeMutableBufferPointer<UInt64>) {
        var a00 = a[0]
        var a01 = a[1]
        var a02 = a[2]
        var a03 = a[3]
        var a04 = a[4]
        var a05 = a[5]
        var a06 = a[6]
        var a07 = a[7]
        var a08 = a[8]
        var a09 = a[9]
        var a10 = a[10]
        var a11 = a[11]
        var a12 = a[12]
        var a13 = a[13]
        var a14 = a[14]
        var a15 = a[15]
        var a16 = a[16]
        var a17 = a[17]
        var a18 = a[18]
        var a19 = a[19]
        var a20 = a[20]
        var a21 = a[21]
        var a22 = a[22]
        var a23 = a[23]
        var a24 = a[24]
        for round in 0..<24 {
                // θ
                let c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20
                let c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21
                let c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22
                let c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23
                let c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24
                let d0 = c4 ^ rotl(c1, 1)
                let d1 = c0 ^ rotl(c2, 1)
                let d2 = c1 ^ rotl(c3, 1)
                let d3 = c2 ^ rotl(c4, 1)
                let d4 = c3 ^ rotl(c0, 1)
                // ρ and π
                let b00 = (a00 ^ d0)
                let b01 = rotl(a06 ^ d1, 44)
                let b02 = rotl(a12 ^ d2, 43)
                let b03 = rotl(a18 ^ d3, 21)
                let b04 = rotl(a24 ^ d4, 14)
                let b05 = rotl(a03 ^ d3, 28)
                let b06 = rotl(a09 ^ d4, 20)
                let b07 = rotl(a10 ^ d0, 3)
                let b08 = rotl(a16 ^ d1, 45)
                let b09 = rotl(a22 ^ d2, 61)
                let b10 = rotl(a01 ^ d1, 1)
                let b11 = rotl(a07 ^ d2, 6)
                let b12 = rotl(a13 ^ d3, 25)
                let b13 = rotl(a19 ^ d4, 8)
                let b14 = rotl(a20 ^ d0, 18)
                let b15 = rotl(a04 ^ d4, 27)
                let b16 = rotl(a05 ^ d0, 36)
                let b17 = rotl(a11 ^ d1, 10)
                let b18 = rotl(a17 ^ d2, 15)
                let b19 = rotl(a23 ^ d3, 56)
                let b20 = rotl(a02 ^ d2, 62)
                let b21 = rotl(a08 ^ d3, 55)
                let b22 = rotl(a14 ^ d4, 39)
                let b23 = rotl(a15 ^ d0, 41)
                let b24 = rotl(a21 ^ d1, 2)
                // χ
                a00 = b00 ^ (~b01 & b02)
                a01 = b01 ^ (~b02 & b03)
                a02 = b02 ^ (~b03 & b04)
                a03 = b03 ^ (~b04 & b00)
                a04 = b04 ^ (~b00 & b01)
                a05 = b05 ^ (~b06 & b07)
                a06 = b06 ^ (~b07 & b08)
                a07 = b07 ^ (~b08 & b09)
                a08 = b08 ^ (~b09 & b05)
                a09 = b09 ^ (~b05 & b06)
                a10 = b10 ^ (~b11 & b12)
                a11 = b11 ^ (~b12 & b13)
                a12 = b12 ^ (~b13 & b14)
                a13 = b13 ^ (~b14 & b10)
                a14 = b14 ^ (~b10 & b11)
                a15 = b15 ^ (~b16 & b17)
                a16 = b16 ^ (~b17 & b18)
                a17 = b17 ^ (~b18 & b19)
                a18 = b18 ^ (~b19 & b15)
                a19 = b19 ^ (~b15 & b16)
                a20 = b20 ^ (~b21 & b22)
                a21 = b21 ^ (~b22 & b23)
                a22 = b22 ^ (~b23 & b24)
                a23 = b23 ^ (~b24 & b20)
                a24 = b24 ^ (~b20 & b21)
            // ι
            a00 ^= roundConstants[round]
        }
        a[0] = a00
        a[1] = a01
        a[2] = a02
        a[3] = a03
        a[4] = a04
        a[5] = a05
        a[6] = a06
        a[7] = a07
        a[8] = a08
        a[9] = a09
        a[10] = a10
        a[11] = a11
        a[12] = a12
        a[13] = a13
        a[14] = a14
        a[15] = a15
        a[16] = a16
        a[17] = a17
        a[18] = a18
        a[19] = a19
        a[20] = a20
        a[21] = a21
        a[22] = a22
        a[23] = a23
        a[24] = a24
    }
}
