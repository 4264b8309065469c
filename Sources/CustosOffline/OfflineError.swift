import CustosCore

/// Why the air-gapped signer refused something; the reason never carries a secret.
public typealias OfflineError = CustosError<OfflineErrorCode>
