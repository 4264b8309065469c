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

    /// Rotation offsets and destination lanes of the combined ρ and π steps, in the order of
    /// the usual in-place walk starting at lane 1.
    private static let rhoOffsets: [UInt64] = [
        1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
    ]
    private static let piLanes: [Int] = [
        10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
    ]

    @inline(__always)
    private static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x << n) | (x >> (64 - n)) }

    /// Keccak-f[1600]: 24 rounds of θ, ρ, π, χ, ι.
    private static func permute(_ a: UnsafeMutableBufferPointer<UInt64>) {
        var c0: UInt64, c1: UInt64, c2: UInt64, c3: UInt64, c4: UInt64
        for round in 0..<24 {
            // θ
            c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20]
            c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21]
            c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22]
            c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23]
            c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24]
            let d0 = c4 ^ rotl(c1, 1)
            let d1 = c0 ^ rotl(c2, 1)
            let d2 = c1 ^ rotl(c3, 1)
            let d3 = c2 ^ rotl(c4, 1)
            let d4 = c3 ^ rotl(c0, 1)
            for y in stride(from: 0, to: 25, by: 5) {
                a[y] ^= d0
                a[y + 1] ^= d1
                a[y + 2] ^= d2
                a[y + 3] ^= d3
                a[y + 4] ^= d4
            }
            // ρ and π
            var current = a[1]
            for i in 0..<24 {
                let j = piLanes[i]
                let next = a[j]
                a[j] = rotl(current, rhoOffsets[i])
                current = next
            }
            // χ
            for y in stride(from: 0, to: 25, by: 5) {
                let t0 = a[y], t1 = a[y + 1], t2 = a[y + 2], t3 = a[y + 3], t4 = a[y + 4]
                a[y] = t0 ^ (~t1 & t2)
                a[y + 1] = t1 ^ (~t2 & t3)
                a[y + 2] = t2 ^ (~t3 & t4)
                a[y + 3] = t3 ^ (~t4 & t0)
                a[y + 4] = t4 ^ (~t0 & t1)
            }
            // ι
            a[0] ^= roundConstants[round]
        }
    }
}
