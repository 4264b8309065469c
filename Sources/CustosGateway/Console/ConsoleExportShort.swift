/// The store gave no block at `height` while a chain export was being streamed: the export ends
/// short (its header promised more blocks), which `custos audit verify` reports.
struct ConsoleExportShort: Error, CustomStringConvertible {
    let height: UInt64
    var description: String { "the gateway's store gave no committed block at height \(height) during an export" }
}
