/// Why text was refused as hex.
public typealias HexError = CustosError<HexErrorCode>
