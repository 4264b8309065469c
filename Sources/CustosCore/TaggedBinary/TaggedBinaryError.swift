/// Why bytes were refused as a tagged binary encoding (`TaggedBinaryDecoder`). A value of the
/// wrong shape for the type asked for is a `DecodingError`, as with every `Decoder`.
public typealias TaggedBinaryError = CustosError<TaggedBinaryErrorCode>
