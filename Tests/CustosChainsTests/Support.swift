import BigInt
import CustosChains
import CustosCrypto

/// Deterministic generator so that randomized tests are reproducible (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// A value with a random bit length up to `maxBits`, biased towards edge sizes.
    mutating func bigUInt(maxBits: Int) -> BigUInt {
        let bits: Int
        switch Int.random(in: 0..<10, using: &self) {
        case 0: return 0
        case 1: bits = maxBits
        default: bits = Int.random(in: 1...maxBits, using: &self)
        }
        let bytes = self.bytes((bits + 7) / 8)
        var value = BigUInt(bigEndian: bytes)
        if value.bitWidth > bits { value >>= (value.bitWidth - bits) }
        return value
    }

    mutating func address() -> EVM.Address { try! EVM.Address(bytes(20)) }

    mutating func privateKey() -> (Secp256k1.ECDSA.PrivateKey, [UInt8]) {
        while true {
            let candidate = bytes(32)
            if let key = try? Secp256k1.ECDSA.PrivateKey(rawRepresentation: candidate) { return (key, candidate) }
        }
    }
}

func hex(_ text: String) -> [UInt8] { try! [UInt8](hex: text) }
func address(_ text: String) -> EVM.Address { try! EVM.Address(hex: text) }
