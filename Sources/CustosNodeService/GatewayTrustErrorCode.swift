import CustosCore

/// The stable codes of `GatewayTrustError`.
public enum GatewayTrustErrorCode: String, ErrorCode {
    /// The CA file named by `CUSTOS_GATEWAY_CA` cannot be read or holds no certificate.
    case unreadableAuthority
}
