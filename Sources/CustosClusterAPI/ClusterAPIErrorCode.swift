import CustosCore

/// The stable codes of `ClusterAPIError`.
public enum ClusterAPIErrorCode: String, ErrorCode {
    public typealias Context = ClusterAPIErrorContext

    /// The cluster file (or the genesis document in it) cannot be read or is refused.
    case invalidClusterFile
    /// A wire message whose fields do not decode (base64, hex, a canonical encoding).
    case malformedMessage
    /// A JSON object has a member its schema does not name; `field` names it.
    case unknownField
    /// The gateway answered a node's request with an unexpected status.
    case gatewayRefused
    /// The governed state replayed from the log does not match the digest recorded for it.
    case stateMismatch
    /// A history that the node's trust anchor does not vouch for (a long-range fork): the reason
    /// names the height.
    case untrustedHistory
    /// Blocks a node cannot prune: none above a persisted state it could restart from.
    case pruneRefused
    /// Committed blocks the node needs are neither in its working store nor in its archive.
    case blocksMissing
}
