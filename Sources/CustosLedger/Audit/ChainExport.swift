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
        Self.header(configuration: configuration, blockCount: blocks.count) + blocks.flatMap(Self.serialized)
    }

    /// What an export starts with, before its `blockCount` blocks: a writer that streams an
    /// export sends this, then `serialized(_:)` of each block in height order.
    public static func header(configuration: ClusterConfiguration, blockCount: Int) -> [UInt8] {
        var w = CanonicalWriter(kind: LedgerWire.Kind.chainExport)
        w.append(lengthPrefixed: configuration.serialized)
        w.append(UInt32(blockCount))
        return w.bytes
    }

    /// One block of an export and its certificate, each behind its 32-bit length.
    public static func serialized(_ certified: CertifiedBlock) -> [UInt8] {
        var w = CanonicalWriter()
        w.append(lengthPrefixed: certified.block.serialized)
        w.append(lengthPrefixed: certified.certificate.serialized)
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
