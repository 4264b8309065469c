import CustosCore

/// Why the node's database refused or failed an operation. Equality is on `code`.
public typealias StorageError = CustosError<StorageErrorCode>
