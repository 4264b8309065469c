import CSodium

/// libsodium initialization and the few helpers used across CustosCrypto.
package enum Sodium {
    /// `sodium_init` must run before any other libsodium call; reading this runs it once.
    package static let ready: Bool = {
        guard sodium_init() >= 0 else { fatalError("libsodium: sodium_init failed") }
        return true
    }()

    /// Overwrites memory in a way the compiler may not elide.
    package static func memzero(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { sodium_memzero(base, buffer.count) }
        }
    }
}

/// Cryptographically secure random bytes from the operating system (libsodium's
/// `randombytes_buf`, which reads getrandom(2)).
public enum SecureRandom {
    public static func bytes(count: Int) -> [UInt8] {
        precondition(Sodium.ready)
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
        return out
    }
}
