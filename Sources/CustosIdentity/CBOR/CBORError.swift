import CustosCore

/// Why bytes were refused as CBOR (RFC 8949). Equality is on `code` only, so tests match codes;
/// `reason` names what is wrong and at which byte offset.
public typealias CBORError = CustosError<CBORErrorCode>
