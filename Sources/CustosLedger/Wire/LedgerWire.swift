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
        /// A vote in a round after the first.
        static let roundVote: UInt8 = 0x21
        static let roundChange: UInt8 = 0x22
        /// A member's account of its voting, for a node restored from a backup.
        static let votingRecord: UInt8 = 0x23
        static let certificate: UInt8 = 0x30
        /// A quorum certificate of votes in a round after the first.
        static let roundCertificate: UInt8 = 0x31
        static let roundChangeCertificate: UInt8 = 0x32
        static let safetyState: UInt8 = 0x40
        static let sequencerState: UInt8 = 0x41
        /// A sequencer state whose proposal in flight is in a round after the first.
        static let roundSequencerState: UInt8 = 0x42
        static let chainExport: UInt8 = 0x50
    }

    /// The kind tag of an encoded top-level value, nil if it is too short to have one.
    static func kind(of bytes: [UInt8]) -> UInt8? { bytes.count >= 2 ? bytes[1] : nil }
}
