import BigInt
import CustosChains
import CustosCore
import CustosCrypto
import CustosTestSupport

extension SeededGenerator {
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
