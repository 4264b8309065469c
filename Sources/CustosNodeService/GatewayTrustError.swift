import CustosCore

/// Why the gateway's trust cannot be set up.
public typealias GatewayTrustError = CustosError<GatewayTrustErrorCode>
