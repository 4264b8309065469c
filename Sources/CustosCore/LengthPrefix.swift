/// The width of the big-endian unsigned integer in front of a byte string or a list. The one rule
/// of the canonical codec: a length or count is 32 bits wide unless the format names a narrower
/// prefix at the call (MPC messages use 16 bits, ledger short strings 8).
package enum LengthPrefix: Sendable {
    case uint8, uint16, uint32

    /// The largest length or count this prefix can carry.
    package var maximum: Int {
        switch self {
        case .uint8: Int(UInt8.max)
        case .uint16: Int(UInt16.max)
        case .uint32: Int(UInt32.max)
        }
    }
}
