import CSodium
import CustosCore
import CustosCrypto

extension NodeBackup {
    /// The first bytes of every backup file.
    static let magic: [UInt8] = Array("CUSTOS-NODE-BACKUP".utf8)
    /// A backup file is read whole; larger ones are refused before anything is allocated for them.
    public static let maximumFileSize = 16 << 20
    /// The backup key: 256 bits, the master secret the SLIP-39 mnemonics share.
    public static let keyLength = 32
    /// The highest SLIP-39 iteration exponent a backup is made with, and a restore accepts:
    /// 10000 × 2^8 PBKDF2 iterations per Feistel round, seconds of work, not hours.
    public static let maximumIterationExponent = 8
    private static let nonceLength = Int(crypto_aead_xchacha20poly1305_ietf_npubbytes())
    private static let tagLength = Int(crypto_aead_xchacha20poly1305_ietf_abytes())

    /// The backup file: the magic, the header (length-prefixed, in the clear), a random nonce,
    /// and the secrets encrypted with XChaCha20-Poly1305 (libsodium) under `key`, the magic and
    /// header as associated data.
    public func sealed(under key: SecretBytes) throws(BackupError) -> [UInt8] {
        guard key.count == Self.keyLength else { throw BackupError(.invalidParameters, "a backup key is \(Self.keyLength) bytes") }
        var w = CanonicalWriter()
        identityKey.withUnsafeBytes { w.append(lengthPrefixed: $0) }
        transportKey.withUnsafeBytes { w.append(lengthPrefixed: $0) }
        w.append(count: vaultShares.count)
        for share in vaultShares { share.withUnsafeBytes { w.append(lengthPrefixed: $0) } }
        var plain = w.bytes
        w.withBuffer { Sodium.memzero(&$0) }
        defer { Sodium.memzero(&plain) }
        var clear = CanonicalWriter()
        clear.append(raw: Self.magic)
        clear.append(lengthPrefixed: header.encoded)
        let associated = clear.bytes
        let nonce = SecureRandom.bytes(count: Self.nonceLength)
        var ciphertext = [UInt8](repeating: 0, count: plain.count + Self.tagLength)
        var length: UInt64 = 0
        let rc = key.withBytes { k in
            crypto_aead_xchacha20poly1305_ietf_encrypt(&ciphertext, &length, plain, UInt64(plain.count),
                                                       associated, UInt64(associated.count), nil, nonce, k)
        }
        guard rc == 0 else { throw BackupError(.nodeStorage, "encrypting the backup failed") }
        return associated + nonce + ciphertext.prefix(Int(length))
    }

    /// The header of a backup file, read without the key (to check the node and cluster before
    /// custodians are asked for their mnemonics). Authenticated only once the file opens.
    public static func header(of file: [UInt8]) throws(BackupError) -> Header {
        try split(file).header
    }

    /// Opens a backup file with the key its mnemonics recover. Refuses a file that is not a
    /// backup, truncated or oversized, and any altered byte or another backup's key
    /// (`undecryptable`), with nothing returned.
    public static func open(_ file: [UInt8], key: SecretBytes) throws(BackupError) -> NodeBackup {
        let parts = try split(file)
        guard key.count == keyLength else { throw BackupError(.undecryptable, "the mnemonics recover a \(key.count * 8)-bit secret, not a backup key") }
        var plain = [UInt8](repeating: 0, count: parts.ciphertext.count - tagLength)
        defer { Sodium.memzero(&plain) }
        var length: UInt64 = 0
        let rc = key.withBytes { k in
            crypto_aead_xchacha20poly1305_ietf_decrypt(&plain, &length, nil, parts.ciphertext, UInt64(parts.ciphertext.count),
                                                       parts.associated, UInt64(parts.associated.count), parts.nonce, k)
        }
        guard rc == 0 else {
            throw BackupError(.undecryptable, "the backup does not open: the backup passphrase is wrong, the mnemonics are of another backup, or the file was altered")
        }
        var r = CanonicalReader<BackupErrorCode>(Array(plain.prefix(Int(length))), what: "backup contents")
        let identity = SecretBytes(try r.lengthPrefixed("identity key", max: 64))
        let transport = SecretBytes(try r.lengthPrefixed("transport key", max: 64))
        let count = try r.count("vault share count", max: Header.maximumShares)
        guard count == parts.header.shares.count else {
            throw r.fail("\(count) vault shares inside, \(parts.header.shares.count) named in the header")
        }
        var shares: [SecretBytes] = []
        for index in 0..<count { shares.append(SecretBytes(try r.lengthPrefixed("vault share \(index)", max: 1 << 16))) }
        try r.finish()
        return NodeBackup(header: parts.header, identityKey: identity, transportKey: transport, vaultShares: shares)
    }

    private static func split(_ file: [UInt8]) throws(BackupError) -> (header: Header, associated: [UInt8], nonce: [UInt8], ciphertext: [UInt8]) {
        guard file.count <= maximumFileSize else { throw BackupError(.encodingLimitExceeded, "a backup file is at most \(maximumFileSize) bytes") }
        guard file.starts(with: magic) else { throw BackupError(.malformedEncoding, "not a Custos node backup file") }
        var r = CanonicalReader<BackupErrorCode>(file, what: "backup file")
        _ = try r.read(magic.count, "magic")
        let header = try Header(decoding: try r.lengthPrefixed("header", max: 1 << 20))
        let associated = Array(file[..<r.offset])
        let nonce = Array(try r.read(nonceLength, "nonce"))
        guard r.remaining >= tagLength else { throw r.fail("truncated: no room for the authentication tag") }
        let ciphertext = Array(try r.read(r.remaining, "ciphertext"))
        return (header, associated, nonce, ciphertext)
    }
}
