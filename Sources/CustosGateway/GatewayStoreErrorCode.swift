import CustosCore

/// The stable codes of `GatewayStoreError`.
public enum GatewayStoreErrorCode: String, ErrorCode {
    /// The database location (a PostgreSQL URL) is not usable as given.
    case invalidLocation
    /// The database cannot be reached or reported an error; the operation did not take effect.
    case unavailable
    /// The database holds migrations this gateway does not know (a newer version wrote it).
    case unknownSchema
    /// The store contradicts itself or the sequencer (a missing block, a vanished queue).
    case inconsistent
}
