/// The framing of the ledger's canonical binary encoding (on the shared `CanonicalWriter`): a
/// version byte and a kind tag in front of every top-level value, big-endian fixed-width integers,
/// 32-bit length prefixes on byte strings and counts in front of lists, 8-bit lengths on names.
/// Exactly one encoding per value, so hashes and signatures over it are well defined.
enum LedgerWire {
    /// The only encoding version so far.
    static let version: UInt8 = 1

    enum Kind {
        static let configuration: UInt8 = 0x01
        static let entry: UInt8 = 0x08
        static let block: UInt8 = 0x10
        static let vote: UInt8 = 0x20
        static let certificate: UInt8 = 0x30
        static let safetyState: UInt8 = 0x40
        static let sequencerState: UInt8 = 0x41
        static let chainExport: UInt8 = 0x50
    }
}
