/// Why bytes were refused as JSON (RFC 8259, with the I-JSON restrictions of RFC 7493 that
/// RFC 8785 relies on). Equality is on `code` only; `reason` names the byte offset.
public typealias JSONError = CustosError<JSONErrorCode>
