import CustosCore
import Crypto
import CustosCrypto

extension SLIP39 {
    /// The share index of the digest share and of the secret (SLIP-0039 "SplitSecret").
    private static let digestIndex: UInt8 = 254
    private static let secretIndex: UInt8 = 255
    private static let digestLength = 4

    /// SLIP-0039 "SplitSecret": `count` shares of `secret` (indices 0 to count − 1), any
    /// `threshold` of which recover it; from two on, the polynomial also passes through the
    /// digest share at 254, so that recovery detects a wrong share.
    static func splitSecret(threshold: Int, count: Int, secret: SecretBytes) throws(BackupError) -> [SecretBytes] {
        guard (1...count).contains(threshold), count <= maximumShareCount else {
            throw BackupError(.invalidParameters, "a threshold of 1 to \(count), at most \(maximumShareCount) shares")
        }
        if threshold == 1 { return Array(repeating: secret, count: count) }
        let random = SecretBytes(randomCount: secret.count - digestLength)
        var digestBytes = digest(random: random, secret: secret)
        random.withUnsafeBytes { digestBytes.append(contentsOf: $0) }
        let digestShare = SecretBytes(digestBytes)
        Sodium.memzero(&digestBytes)
        var points: [(x: UInt8, y: SecretBytes)] = (0..<(threshold - 2)).map { (UInt8($0), SecretBytes(randomCount: secret.count)) }
        points.append((digestIndex, digestShare))
        points.append((secretIndex, secret))
        var shares = points.prefix(threshold - 2).map(\.y)
        for x in (threshold - 2)..<count { shares.append(interpolate(UInt8(x), points)) }
        return shares
    }

    /// SLIP-0039 "RecoverSecret": the secret at 255 from `threshold` shares, checked against
    /// the digest share at 254. Refuses (`invalidDigest`) shares that do not lie on one polynomial with it.
    static func recoverSecret(threshold: Int, shares: [(x: UInt8, y: SecretBytes)]) throws(BackupError) -> SecretBytes {
        if threshold == 1 { return shares[0].y }
        let secret = interpolate(secretIndex, shares)
        var digestShare = interpolate(digestIndex, shares).unsafeCopyBytes()
        defer { Sodium.memzero(&digestShare) }
        let expected = digest(random: SecretBytes(digestShare[digestLength...]), secret: secret)
        guard SecretBytes(expected).constantTimeEquals(SecretBytes(digestShare.prefix(digestLength))) else {
            throw BackupError(.invalidDigest, "the shares do not recover a secret that matches its digest: a mnemonic is wrong or from another set")
        }
        return secret
    }

    /// The first four bytes of HMAC-SHA256(key: random, message: secret).
    private static func digest(random: SecretBytes, secret: SecretBytes) -> [UInt8] {
        let key = random.withUnsafeBytes { SymmetricKey(data: $0) }
        let mac = secret.withUnsafeBytes { HMAC<SHA256>.authenticationCode(for: $0, using: key) }
        return Array(Array(mac).prefix(digestLength))
    }

    /// SLIP-0039 "Interpolate": the value at `x` of the polynomials through `points`, byte by byte.
    /// The Lagrange coefficients depend on the public indices only; the secret bytes meet them
    /// in the constant-time multiplication.
    static func interpolate(_ x: UInt8, _ points: [(x: UInt8, y: SecretBytes)]) -> SecretBytes {
        if let known = points.first(where: { $0.x == x }) { return known.y }
        let length = points[0].y.count
        var result = [UInt8](repeating: 0, count: length)
        defer { Sodium.memzero(&result) }
        for (i, point) in points.enumerated() {
            var numerator: UInt8 = 1
            var denominator: UInt8 = 1
            for (j, other) in points.enumerated() where j != i {
                numerator = GF256.multiply(numerator, x ^ other.x)
                denominator = GF256.multiply(denominator, point.x ^ other.x)
            }
            let coefficient = GF256.multiply(numerator, GF256.inverse(denominator))
            point.y.withUnsafeBytes { y in
                for k in 0..<length { result[k] ^= GF256.multiply(coefficient, y[k]) }
            }
        }
        return SecretBytes(result)
    }
}
