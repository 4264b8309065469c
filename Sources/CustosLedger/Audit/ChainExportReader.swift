import CustosCore

/// Reads an export one certified block at a time, so the audit can name where it breaks.
struct ChainExportReader {
    private var reader: LedgerReader
    private var remainingBlocks = 0
    private(set) var index = 0

    init(_ bytes: [UInt8]) throws(LedgerError) {
        reader = try LedgerReader(bytes, kind: LedgerWire.Kind.chainExport, what: "chain export")
    }

    mutating func configuration() throws(LedgerError) -> ClusterConfiguration {
        let raw = try reader.lengthPrefixed("configuration", max: 2 * ClusterConfiguration.maximumGenesisDocumentBytes)
        let configuration = try ClusterConfiguration(serialized: raw, allowWithoutFaultTolerance: true)
        remainingBlocks = try reader.count("block count", max: ChainExport.maximumBlocks)
        return configuration
    }

    mutating func next() throws(LedgerError) -> CertifiedBlock? {
        guard remainingBlocks > 0 else {
            try reader.finish()
            return nil
        }
        let block = try Block(serialized: try reader.lengthPrefixed("block \(index)", max: Block.maximumEncodedBytes))
        let certificate = try QuorumCertificate(serialized: try reader.lengthPrefixed("certificate \(index)", max: 64 * 1024))
        remainingBlocks -= 1
        index += 1
        return CertifiedBlock(block: block, certificate: certificate)
    }
}
