import Crypto
import CustosCrypto

/// PBKDF2 with HMAC-SHA256 as its pseudorandom function (RFC 8018 §5.2), as SLIP-0039's
/// round function uses it. The caller owns the erasure of the output.
enum PBKDF2 {
    static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8] {
        precondition(iterations > 0 && length > 0)
        let keyed = HMAC<SHA256>(key: SymmetricKey(data: password))
        var output: [UInt8] = []
        var block: UInt32 = 1
        while output.count < length {
            var mac = keyed
            mac.update(data: salt + [UInt8(block >> 24), UInt8(block >> 16 & 0xFF), UInt8(block >> 8 & 0xFF), UInt8(block & 0xFF)])
            var u = Array(mac.finalize())
            var t = u
            for _ in 1..<iterations {
                var next = keyed
                next.update(data: u)
                u = Array(next.finalize())
                for k in 0..<t.count { t[k] ^= u[k] }
            }
            output += t
            Sodium.memzero(&u)
            Sodium.memzero(&t)
            block += 1
        }
        let result = Array(output.prefix(length))
        Sodium.memzero(&output)
        return result
    }
}
