import CSodium
import CustosCore
import CustosCrypto

/// Key shares at rest on a development node: sealed with a key derived from a passphrase by
/// Argon2id (libsodium `crypto_pwhash`) and encrypted with XSalsa20-Poly1305
/// (`crypto_secretbox`). The sealed form carries its own salt and cost parameters; a wrong
/// passphrase or any altered byte is refused. Production nodes seal with an HSM instead.
public enum PassphraseSeal {
    /// Argon2id cost: `interactive` for tests and demos, `sensitive` for anything that holds
    /// value (about a second and 1 GiB of memory on a server).
    public enum Strength: UInt8, Sendable {
        case interactive = 1
        case moderate = 2
        case sensitive = 3

        var limits: (ops: UInt64, memory: Int) {
            switch self {
            case .interactive: return (UInt64(crypto_pwhash_opslimit_interactive()), crypto_pwhash_memlimit_interactive())
            case .moderate: return (UInt64(crypto_pwhash_opslimit_moderate()), crypto_pwhash_memlimit_moderate())
            case .sensitive: return (UInt64(crypto_pwhash_opslimit_sensitive()), crypto_pwhash_memlimit_sensitive())
            }
        }
    }

    static let magic: [UInt8] = Array("CUSTOS-SEALED-1".utf8)

    /// Seals `secret` under `passphrase`.
    public static func seal(_ secret: SecretBytes, passphrase: SecretBytes, strength: Strength) throws(StorageError) -> [UInt8] {
        precondition(Sodium.ready)
        let salt = SecureRandom.bytes(count: Int(crypto_pwhash_saltbytes()))
        let nonce = SecureRandom.bytes(count: Int(crypto_secretbox_noncebytes()))
        let key = try deriveKey(passphrase: passphrase, salt: salt, strength: strength)
        var ciphertext = [UInt8](repeating: 0, count: secret.count + Int(crypto_secretbox_macbytes()))
        let rc = secret.withUnsafeBytes { plain in
            key.withBytes { k in
                crypto_secretbox_easy(&ciphertext, plain.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                      UInt64(plain.count), nonce, k)
            }
        }
        guard rc == 0 else { throw StorageError(.databaseFailure, "sealing failed") }
        return magic + [strength.rawValue] + salt + nonce + ciphertext
    }

    /// Opens a sealed secret; refuses a wrong passphrase, a truncated or altered file, or an
    /// unknown format with a clear error and no partial output.
    public static func open(_ sealed: [UInt8], passphrase: SecretBytes) throws(StorageError) -> SecretBytes {
        precondition(Sodium.ready)
        let saltCount = Int(crypto_pwhash_saltbytes())
        let nonceCount = Int(crypto_secretbox_noncebytes())
        let macCount = Int(crypto_secretbox_macbytes())
        let header = magic.count + 1 + saltCount + nonceCount
        guard sealed.count >= header + macCount, Array(sealed.prefix(magic.count)) == magic else {
            throw StorageError(.invalidInput, "not a Custos sealed file, or truncated")
        }
        guard let strength = Strength(rawValue: sealed[magic.count]) else {
            throw StorageError(.invalidInput, "unknown sealing strength \(sealed[magic.count])")
        }
        let salt = Array(sealed[(magic.count + 1)..<(magic.count + 1 + saltCount)])
        let nonce = Array(sealed[(magic.count + 1 + saltCount)..<header])
        let ciphertext = Array(sealed[header...])
        let key = try deriveKey(passphrase: passphrase, salt: salt, strength: strength)
        var plain = [UInt8](repeating: 0, count: ciphertext.count - macCount)
        defer { Sodium.memzero(&plain) }
        let rc = key.withBytes { k in
            crypto_secretbox_open_easy(&plain, ciphertext, UInt64(ciphertext.count), nonce, k)
        }
        guard rc == 0 else { throw StorageError(.invalidInput, "wrong passphrase, or the sealed file was altered") }
        return SecretBytes(plain)
    }

    private static func deriveKey(passphrase: SecretBytes, salt: [UInt8], strength: Strength) throws(StorageError) -> SecretBytes {
        guard passphrase.count > 0 else { throw StorageError(.invalidInput, "the passphrase is empty") }
        var key = [UInt8](repeating: 0, count: Int(crypto_secretbox_keybytes()))
        defer { Sodium.memzero(&key) }
        let (ops, memory) = strength.limits
        let rc = passphrase.withUnsafeBytes { p in
            crypto_pwhash(&key, UInt64(key.count), p.baseAddress!.assumingMemoryBound(to: CChar.self), UInt64(p.count),
                          salt, ops, memory, crypto_pwhash_ALG_ARGON2ID13)
        }
        guard rc == 0 else { throw StorageError(.databaseFailure, "key derivation ran out of memory") }
        return SecretBytes(key)
    }
}
