import CustosCore

/// Why an offline signer refuses a bundle. Equality is on `code` only, so tests match codes;
/// `reason` names what is wrong (the field, the member, the rule).
public typealias OfflineBundleError = CustosError<OfflineBundleErrorCode>
