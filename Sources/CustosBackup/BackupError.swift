import CustosCore

/// Why a SLIP-39 mnemonic set, a node backup or a restore was refused. Equality is on `code`
/// only, so tests match codes; `reason` names the mnemonic, group or field at fault and never
/// contains secret material.
public typealias BackupError = CustosError<BackupErrorCode>
