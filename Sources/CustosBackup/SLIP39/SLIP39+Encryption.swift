import Crypto
import CustosCrypto

extension SLIP39 {
    /// SLIP-0039 "Encryption of the master secret": a four-round Feistel network whose round
    /// function is PBKDF2-HMAC-SHA256 keyed by the round number and the passphrase.
    static func encrypt(_ secret: SecretBytes, passphrase: SecretBytes, iterationExponent: UInt8,
                        identifier: UInt16, extendable: Bool) -> SecretBytes {
        feistel(secret, rounds: [0, 1, 2, 3], passphrase: passphrase, iterationExponent: iterationExponent,
                identifier: identifier, extendable: extendable)
    }

    /// SLIP-0039 "Decryption of the master secret": the same network, rounds in reverse.
    static func decrypt(_ encrypted: SecretBytes, passphrase: SecretBytes, iterationExponent: UInt8,
                        identifier: UInt16, extendable: Bool) -> SecretBytes {
        feistel(encrypted, rounds: [3, 2, 1, 0], passphrase: passphrase, iterationExponent: iterationExponent,
                identifier: identifier, extendable: extendable)
    }

    private static func feistel(_ input: SecretBytes, rounds: [UInt8], passphrase: SecretBytes, iterationExponent: UInt8,
                                identifier: UInt16, extendable: Bool) -> SecretBytes {
        let half = input.count / 2
        var bytes = input.unsafeCopyBytes()
        var left = Array(bytes[..<half])
        var right = Array(bytes[half...])
        var password = [UInt8](repeating: 0, count: passphrase.count + 1)
        passphrase.withUnsafeBytes { for (k, byte) in $0.enumerated() { password[k + 1] = byte } }
        var salt: [UInt8] = []
        defer {
            Sodium.memzero(&bytes)
            Sodium.memzero(&left)
            Sodium.memzero(&right)
            Sodium.memzero(&password)
            Sodium.memzero(&salt)
        }
        let saltPrefix: [UInt8] = extendable ? [] : Array("shamir".utf8) + [UInt8(identifier >> 8), UInt8(identifier & 0xFF)]
        let iterations = 2500 << Int(iterationExponent)
        for round in rounds {
            password[0] = round
            Sodium.memzero(&salt)
            salt = saltPrefix + right
            var mask = PBKDF2.sha256(password: password, salt: salt, iterations: iterations, length: half)
            var next = zip(left, mask).map { $0 ^ $1 }
            Sodium.memzero(&mask)
            Sodium.memzero(&left)
            left = right
            right = next
            Sodium.memzero(&next)
        }
        return SecretBytes(right + left)
    }
}
