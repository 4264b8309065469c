/// Whether bytes read as a Solana transaction message: the bytes an Ed25519 key signs to
/// authorise a transaction. A raw-message request whose bytes have that shape would let a
/// vault sign a transaction that no node decoded as one, so the request layer refuses it.
///
/// The check is structural and errs towards "transaction": the bytes must begin with one whole
/// legacy or version-0 message (header, account keys, recent blockhash, instructions and, for
/// version 0, address-table lookups, with compact-u16 counts); bytes after it do not save them,
/// since a reader that ignores trailing bytes would still accept the transaction. Nothing is
/// checked for meaning (indexes, signer counts), and a version byte above 0 is read with version
/// 0's layout. Text, login challenges and Solana off-chain messages (which begin with byte 0xff)
/// do not have that shape.
public enum SolanaMessageShape {
    /// True when `bytes` begin with a whole legacy or version-0 transaction message.
    public static func isTransactionMessage(_ bytes: [UInt8]) -> Bool {
        var reader = Reader(bytes: bytes)
        guard let first = reader.byte() else { return false }
        let versioned = first & 0x80 != 0
        if versioned {
            // Version 0 is the only versioned format so far; a later version (0x81…0xfe) is read
            // with its layout, to err towards "transaction". 0xff starts an off-chain message.
            guard first != 0xff, reader.skip(3) else { return false }
        } else {
            // The first byte is the legacy header's signature count; two more header bytes follow.
            guard reader.skip(2) else { return false }
        }
        guard let keys = reader.compactCount(), reader.skip(keys * 32), reader.skip(32) else { return false }
        guard let instructions = reader.compactCount() else { return false }
        for _ in 0..<instructions {
            guard reader.skip(1), let accounts = reader.compactCount(), reader.skip(accounts),
                  let data = reader.compactCount(), reader.skip(data)
            else { return false }
        }
        if versioned {
            guard let lookups = reader.compactCount() else { return false }
            for _ in 0..<lookups {
                guard reader.skip(32), let writable = reader.compactCount(), reader.skip(writable),
                      let readonly = reader.compactCount(), reader.skip(readonly)
                else { return false }
            }
        }
        return true
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func skip(_ count: Int) -> Bool {
            guard count <= bytes.count - offset else { return false }
            offset += count
            return true
        }

        /// A compact-u16 ("short vec") length: seven bits a byte, least significant first, at
        /// most three bytes and at most 0xffff.
        mutating func compactCount() -> Int? {
            var value = 0
            for index in 0..<3 {
                guard let b = byte() else { return nil }
                value |= Int(b & 0x7f) << (7 * index)
                if b & 0x80 == 0 { return value <= 0xffff ? value : nil }
            }
            return nil
        }
    }
}
