import CustosCore

/// Why a certified block was not applied.
public enum CommitRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// A block at or below the committed height (a duplicate delivery).
    case alreadyCommitted(height: UInt64, committedHeight: UInt64)
    /// A gap: blocks in between are missing (catch up first).
    case notNext(height: UInt64, expected: UInt64)
    /// The block does not extend the committed head.
    case wrongPreviousHash(expected: LedgerHash, got: LedgerHash)
    /// The block's time is before its predecessor's.
    case timestampBeforePrevious(block: UInt64, previous: UInt64)
    /// The certificate does not verify for this block.
    case invalidCertificate(LedgerError)

    public var description: String {
        switch self {
        case let .alreadyCommitted(height, committed): "block \(height) is at or below the committed height \(committed)"
        case let .notNext(height, expected): "block \(height) is not the next block \(expected)"
        case let .wrongPreviousHash(expected, got): "previous hash \(got.short) is not the committed head \(expected.short)"
        case let .timestampBeforePrevious(block, previous): "block time \(block) ms is before the previous block's \(previous) ms"
        case let .invalidCertificate(error): "invalid certificate: \(error)"
        }
    }
}
