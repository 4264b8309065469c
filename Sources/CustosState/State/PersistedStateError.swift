import CustosCore

/// Why a stored state snapshot is not used. Equality is on `code` only, so tests match codes;
/// `reason` names what is wrong.
public typealias PersistedStateError = CustosError<PersistedStateErrorCode>

/// The stable codes of `PersistedStateError`.
public enum PersistedStateErrorCode: String, ErrorCode {
    /// The snapshot does not decode, was made by other rules, or does not land on the height,
    /// block hash and state digest it was stored under.
    case snapshotRefused
    /// The node's seal does not vouch for the snapshot: altered in the store, or never sealed.
    case snapshotUnsealed
    /// The state could not be written as a snapshot (a value its encoding cannot carry); nothing
    /// was stored.
    case snapshotUnencodable
}
