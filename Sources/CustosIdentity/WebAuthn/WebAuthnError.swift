import CustosCore

/// Why a WebAuthn registration or assertion was refused. Every refusal has a stable `code`
/// (what a node records and the API reports) and a human `reason`. Equality is on `code` only.
public typealias WebAuthnError = CustosError<WebAuthnErrorCode>
