import CustosCore

/// Why a store cannot be opened or used; never carries a password.
public typealias GatewayStoreError = CustosError<GatewayStoreErrorCode>
