import CustosCore

/// The stable codes of `StorageError`.
public enum StorageErrorCode: String, ErrorCode {
    /// A one-time secret (presignature, FROST nonce) was already used.
    case alreadyUsed
    /// A vote for a different block at a height this node already voted at.
    case conflictingVote
    /// A node restored from a backup was asked to vote or give up a round at a height at or
    /// below its restoration floor, or before its restoration entry committed.
    case restoredNotVoting
    /// An argument is malformed (wrong length, empty).
    case invalidInput
    /// SQLite reported an error; the operation did not take effect.
    case databaseFailure
    /// Something is already stored under this name (a sealed secret, a node's keys); nothing
    /// was replaced.
    case alreadyExists
    /// The node's configuration is missing or malformed, or the credential given does not match
    /// how it seals its secrets (a passphrase for a token node, a development seal on a
    /// production node).
    case misconfigured
}
