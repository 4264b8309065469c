import CustosCore

/// Why the gateway cannot listen as asked; names files, never their content.
public typealias GatewayListenerError = CustosError<GatewayListenerErrorCode>
