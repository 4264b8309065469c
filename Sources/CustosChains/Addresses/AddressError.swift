import CustosCore

/// Why an address or its encoding was refused: a character outside the alphabet, a checksum
/// that does not match, another network's prefix, a witness program of the wrong size.
/// Equality is on `code` only, so tests match codes; `reason` is for people.
public typealias AddressError = CustosError<AddressErrorCode>
