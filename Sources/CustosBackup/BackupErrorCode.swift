import CustosCore

/// The stable codes of `BackupError`.
public enum BackupErrorCode: String, ErrorCode {
    /// A word of a mnemonic is not in the SLIP-39 word list.
    case unknownWord
    /// A mnemonic has too few words, or a word count no share value fits (SLIP-0039 "Format of the share mnemonic").
    case invalidMnemonicLength
    /// A mnemonic's RS1024 checksum does not hold: a word was mistyped, swapped or left out.
    case invalidChecksum
    /// A mnemonic's share value is padded with nonzero bits.
    case invalidPadding
    /// A mnemonic claims a group threshold greater than its group count.
    case invalidGroupThreshold
    /// Mnemonics of different share sets: identifier, extendable flag, iteration exponent,
    /// group threshold, group count or length differ.
    case mismatchedShares
    /// Mnemonics of one group claim different member thresholds.
    case mismatchedMemberThreshold
    /// Two mnemonics of one group carry the same member index.
    case duplicateMemberIndex
    /// Fewer groups than the group threshold.
    case groupThresholdNotMet
    /// A group has fewer mnemonics than its member threshold.
    case memberThresholdNotMet
    /// More groups than the group threshold, or more mnemonics in a group than its member
    /// threshold (SLIP-0039 asks for exactly the thresholds).
    case tooManyShares
    /// The recovered secret does not match its digest share: a mnemonic is wrong or forged.
    case invalidDigest
    /// Split parameters out of range: thresholds, group sizes, secret length, iteration exponent.
    case invalidParameters
    /// A SLIP-39 passphrase outside printable ASCII.
    case invalidPassphrase

    /// Not a node backup file, truncated, or a field out of its bounds.
    case malformedEncoding
    /// A length or count in a backup file above its limit.
    case encodingLimitExceeded
    /// The backup does not open under the key the mnemonics recover: the file was altered, or
    /// the mnemonics are of another backup.
    case undecryptable
    /// The backup is of a node of another cluster (another genesis digest) than the one named.
    case wrongCluster
    /// The backup's identity key is not the one the cluster knows for the node it names: a
    /// backup of another member, or of a node re-keyed since.
    case wrongMember
    /// A vault share in the backup is of an older key epoch than the vault's current one: a
    /// refresh or reshare since the backup made it useless, and it cannot sign.
    case staleShare
    /// The folder to restore into already holds something.
    case destinationExists
    /// The node's storage or seal refused (opening the old node, sealing under the new one).
    case nodeStorage
}

extension BackupErrorCode: DecodingErrorCode {}
