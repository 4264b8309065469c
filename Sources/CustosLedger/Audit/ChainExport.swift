import CustosCore

/// A chain for offline audit: the cluster configuration (genesis) and every committed block with
/// its certificate, in height order (DESIGN.md, "Storage and operations": the tamper-evident
/// audit trail is the committed log itself).
public struct ChainExport: Sendable, Hashable {
    public static let maximumBlocks = 100_000_000

    public let configuration: ClusterConfiguration
    public let blocks: [CertifiedBlock]

    public init(configuration: ClusterConfiguration, blocks: [CertifiedBlock]) {
        self.configuration = configuration
        self.blocks = blocks
    }

    public static func == (a: ChainExport, b: ChainExport) -> Bool {
        a.configuration == b.configuration && a.blocks == b.blocks
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(configuration.genesisDigest)
        hasher.combine(blocks)
    }

    /// Configuration, block count, then each block and certificate behind 32-bit lengths.
    public var serialized: [UInt8] {
        var w = CanonicalWriter(kind: LedgerWire.Kind.chainExport)
        w.append(lengthPrefixed: configuration.serialized)
        w.append(UInt32(blocks.count))
        for b in blocks {
            w.append(lengthPrefixed: b.block.serialized)
            w.append(lengthPrefixed: b.certificate.serialized)
        }
        return w.bytes
    }

    /// The cluster configuration an export starts with, without decoding its blocks.
    public static func configuration(serialized bytes: [UInt8]) throws(LedgerError) -> ClusterConfiguration {
        var reader = try ChainExportReader(bytes)
        return try reader.configuration()
    }

    /// Decodes strictly; use `ChainAudit.verify(serialized:)` to learn at which height a damaged
    /// export fails.
    public init(serialized bytes: [UInt8]) throws(LedgerError) {
        var reader = try ChainExportReader(bytes)
        configuration = try reader.configuration()
        var blocks: [CertifiedBlock] = []
        while let next = try reader.next() { blocks.append(next) }
        self.blocks = blocks
    }
}
