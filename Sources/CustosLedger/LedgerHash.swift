import CustosCore
import CustosCrypto

/// A SHA-256 digest naming a block or a genesis document. Public values: printed as hex.
public struct LedgerHash: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let byteCount = 32

    /// The 32 digest bytes.
    public let bytes: [UInt8]

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    public init(bytes: some Collection<UInt8>) throws(LedgerError) {
        guard bytes.count == Self.byteCount else {
            throw LedgerError(.malformedEncoding, "a ledger hash has 32 bytes, not \(bytes.count)")
        }
        self.bytes = Array(bytes)
    }

    public init(hex: String) throws(LedgerError) {
        let raw: [UInt8]
        do { raw = try [UInt8](hex: hex) } catch {
            throw LedgerError(.malformedEncoding, "ledger hash: \(error.reason)")
        }
        try self.init(bytes: raw)
    }

    /// SHA-256 of a domain tag and an encoding.
    static func digest(domain: String, _ encoding: [UInt8]) -> LedgerHash {
        LedgerHash(unchecked: Hashes.sha256(Array(domain.utf8), [0], encoding))
    }

    public var hex: String { bytes.hexString }
    public var description: String { hex }

    /// A short prefix for logs and alerts.
    public var short: String { String(hex.prefix(16)) }

    public static func < (a: LedgerHash, b: LedgerHash) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}
