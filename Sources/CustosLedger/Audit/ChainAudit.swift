/// Offline verification of an exported chain: the configuration, then for every block the hash
/// chain from the genesis digest, non-decreasing time, and the certificate with every vote
/// signature, and, where a replay is given, what the replay finds in each certified block.
/// Reports the first failing height and why.
public enum ChainAudit {
    /// One failure: `height` is the block that failed (0 for the configuration or the export
    /// framing before block 1).
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public let height: UInt64
        public let reason: String
        public var description: String { "height \(height): \(reason)" }

        public init(height: UInt64, reason: String) {
            self.height = height
            self.reason = reason
        }
    }

    public enum Result: Sendable, Hashable {
        /// Every block verified; `head` is the last one (the genesis for an empty chain).
        case valid(genesisDigest: LedgerHash, head: ChainHead)
        case invalid(Failure)
    }

    /// Verifies a decoded export. With `expectedGenesis`, also refuses a chain of another cluster
    /// (an auditor should pin the genesis digest it trusts; otherwise anyone can forge a cluster).
    /// `membersAfter` is called with every verified block and returns the voting members for the
    /// heights after it when that block changed them (the governance layer decides), else nil.
    public static func verify(
        _ export: ChainExport, expectedGenesis: LedgerHash? = nil, membersAfter: (Block) -> [Member]? = { _ in nil }
    ) -> Result {
        verify(export, expectedGenesis: expectedGenesis, replay: { block throws(Failure) in membersAfter(block) })
    }

    /// `verify(_:expectedGenesis:membersAfter:)` with a replay that may also fail a block: it is
    /// called with every block whose certificate verified, in height order, and returns the
    /// voting members after it when it changed them, or throws the failure it found in it (the
    /// governance layer's replay names the entry).
    ///
    /// With `trusted`, a chain whose block at the anchor's height has another hash, or that ends
    /// below that height, fails at that height (a long-range fork certified by retired keys);
    /// with `expectedHead`, a chain whose last block has another hash fails at its head.
    public static func verify(
        _ export: ChainExport, expectedGenesis: LedgerHash? = nil, trusted: TrustAnchor? = nil, expectedHead: LedgerHash? = nil,
        replay: (Block) throws(Failure) -> [Member]?
    ) -> Result {
        var configuration = export.configuration
        if let failure = checkGenesis(configuration, expectedGenesis) { return .invalid(failure) }
        var head = ChainHead.genesis(configuration)
        for certified in export.blocks {
            switch head.extended(by: certified, in: configuration) {
            case let .failure(refusal):
                return .invalid(Failure(height: head.height + 1, reason: refusal.description))
            case let .success(next): head = next
            }
            if let failure = check(head, against: trusted) { return .invalid(failure) }
            if let failure = reconfigure(&configuration, after: certified.block, replay) { return .invalid(failure) }
        }
        if let failure = checkEnd(head, trusted: trusted, expectedHead: expectedHead) { return .invalid(failure) }
        return .valid(genesisDigest: configuration.genesisDigest, head: head)
    }

    private static func reconfigure(
        _ configuration: inout ClusterConfiguration, after block: Block, _ replay: (Block) throws(Failure) -> [Member]?
    ) -> Failure? {
        let changed: [Member]?
        do throws(Failure) { changed = try replay(block) } catch { return error }
        guard let members = changed else { return nil }
        do { configuration = try configuration.reconfigured(members: members) } catch {
            return Failure(height: block.height, reason: "membership change: \(error)")
        }
        return nil
    }

    /// Verifies an export from its bytes, so that a damaged encoding is reported at the height
    /// where it starts rather than as a whole-file decoding error.
    public static func verify(
        serialized bytes: [UInt8], expectedGenesis: LedgerHash? = nil, membersAfter: (Block) -> [Member]? = { _ in nil }
    ) -> Result {
        verify(serialized: bytes, expectedGenesis: expectedGenesis, replay: { block throws(Failure) in membersAfter(block) })
    }

    /// `verify(serialized:expectedGenesis:membersAfter:)` with a replay that may also fail a
    /// block, a trust anchor and an expected head (see
    /// `verify(_:expectedGenesis:trusted:expectedHead:replay:)`).
    public static func verify(
        serialized bytes: [UInt8], expectedGenesis: LedgerHash? = nil, trusted: TrustAnchor? = nil, expectedHead: LedgerHash? = nil,
        replay: (Block) throws(Failure) -> [Member]?
    ) -> Result {
        var reader: ChainExportReader
        var configuration: ClusterConfiguration
        do {
            reader = try ChainExportReader(bytes)
            configuration = try reader.configuration()
        } catch {
            return .invalid(Failure(height: 0, reason: "configuration: \(error)"))
        }
        if let failure = checkGenesis(configuration, expectedGenesis) { return .invalid(failure) }
        var head = ChainHead.genesis(configuration)
        while true {
            let certified: CertifiedBlock?
            do { certified = try reader.next() } catch {
                return .invalid(Failure(height: head.height + 1, reason: "encoding: \(error)"))
            }
            guard let certified else { break }
            switch head.extended(by: certified, in: configuration) {
            case let .failure(refusal):
                return .invalid(Failure(height: head.height + 1, reason: refusal.description))
            case let .success(next): head = next
            }
            if let failure = check(head, against: trusted) { return .invalid(failure) }
            if let failure = reconfigure(&configuration, after: certified.block, replay) { return .invalid(failure) }
        }
        if let failure = checkEnd(head, trusted: trusted, expectedHead: expectedHead) { return .invalid(failure) }
        return .valid(genesisDigest: configuration.genesisDigest, head: head)
    }

    /// The anchor's refusal of the block just verified, when it is the anchor's height.
    private static func check(_ head: ChainHead, against trusted: TrustAnchor?) -> Failure? {
        guard let trusted, head.height == trusted.height, let reason = trusted.refusal(of: head.hash) else { return nil }
        return Failure(height: head.height, reason: reason)
    }

    /// A chain that stops short of the anchor, or whose last block is not the expected head.
    private static func checkEnd(_ head: ChainHead, trusted: TrustAnchor?, expectedHead: LedgerHash?) -> Failure? {
        if let trusted, head.height < trusted.height {
            return Failure(height: trusted.height, reason: "the chain ends at height \(head.height), below the trusted block \(trusted.height)")
        }
        if let expectedHead, head.hash != expectedHead {
            return Failure(height: head.height, reason: "the head has hash \(head.hash.hex), not the expected \(expectedHead.hex)")
        }
        return nil
    }

    private static func checkGenesis(_ configuration: ClusterConfiguration, _ expected: LedgerHash?) -> Failure? {
        if let expected, expected != configuration.genesisDigest {
            return Failure(height: 0, reason: "genesis digest \(configuration.genesisDigest) is not the expected \(expected)")
        }
        return nil
    }
}

/// Verifies an exported chain offline (see `ChainAudit.verify`).
public func verifyChain(_ export: ChainExport, expectedGenesis: LedgerHash? = nil) -> ChainAudit.Result {
    ChainAudit.verify(export, expectedGenesis: expectedGenesis)
}
