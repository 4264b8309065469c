import CustosCore

/// The stable codes of `AddressError`.
public enum AddressErrorCode: String, ErrorCode {
    /// Not a string of the encoding: a character outside its alphabet or range, mixed case,
    /// no separator, too long or too short, or padding bits that are not zero.
    case invalidEncoding
    /// The checksum does not match (including a Bech32 checksum where Bech32m belongs, and
    /// the other way round).
    case invalidChecksum
    /// The human-readable part names another network than the one expected.
    case wrongNetwork
    /// A witness version above 16, or a program whose length the version does not allow.
    case invalidWitnessProgram
}
