import CustosCore
import CustosNode

extension NodeBackup {
    /// The clear part of a backup file, bound to its ciphertext as associated data, so that
    /// changing any field makes the file refuse to open: the format version, the node, its
    /// environment, the genesis digest of its cluster, the committed height when it was taken,
    /// and which vault shares are inside.
    public struct Header: Sendable, Equatable {
        public static let currentFormatVersion: UInt16 = 1
        static let maximumShares = 4096
        static let maximumName = 256

        public let formatVersion: UInt16
        public let node: String
        public let environment: NodeEnvironment
        public let genesisDigest: [UInt8]
        /// The node's committed height when the backup was taken (0 when it had no chain).
        public let height: UInt64
        public let shares: [Share]

        init(node: String, environment: NodeEnvironment, genesisDigest: [UInt8], height: UInt64, shares: [Share]) {
            formatVersion = Self.currentFormatVersion
            self.node = node
            self.environment = environment
            self.genesisDigest = genesisDigest
            self.height = height
            self.shares = shares
        }

        var encoded: [UInt8] {
            var w = CanonicalWriter()
            w.append(formatVersion)
            w.append(string: node)
            w.append(string: environment.rawValue)
            w.append(lengthPrefixed: genesisDigest)
            w.append(height)
            w.append(count: shares.count)
            for share in shares {
                w.append(string: share.vault)
                w.append(share.epoch)
            }
            return w.bytes
        }

        /// Reads a header strictly; refuses an unknown format version before anything else.
        init(decoding bytes: [UInt8]) throws(BackupError) {
            var r = CanonicalReader<BackupErrorCode>(bytes, what: "backup header")
            formatVersion = try r.uint16("format version")
            guard formatVersion == Self.currentFormatVersion else {
                throw BackupError(.malformedEncoding, "backup format version \(formatVersion) is not one this custos reads (\(Self.currentFormatVersion))")
            }
            node = try r.string("node", max: Self.maximumName)
            let environmentName = try r.string("environment", max: 32)
            guard let environment = NodeEnvironment(rawValue: environmentName) else {
                throw r.fail("unknown environment \(environmentName.printable(limit: 32))")
            }
            self.environment = environment
            genesisDigest = try r.lengthPrefixed("genesis digest", max: 64)
            height = try r.uint64("height")
            let count = try r.count("share count", max: Self.maximumShares)
            var shares: [Share] = []
            for index in 0..<count {
                shares.append(Share(vault: try r.string("share \(index) vault", max: Self.maximumName), epoch: try r.uint64("share \(index) epoch")))
            }
            guard Set(shares).count == shares.count else { throw r.fail("a vault share is listed twice") }
            self.shares = shares
            try r.finish()
        }

        /// The vaults this backup cannot sign for any more: those whose newest share in the
        /// backup is of an epoch below the vault's current key epoch in `currentEpochs` (vault
        /// id → the epoch whose shares sign now). Vaults absent from it are not judged.
        public func staleShares(currentEpochs: [String: UInt64]) -> [StaleShare] {
            var newest: [String: Share] = [:]
            for share in shares where share.epoch >= newest[share.vault]?.epoch ?? 0 { newest[share.vault] = share }
            return newest.values.sorted { $0.vault < $1.vault }.compactMap { share in
                guard let current = currentEpochs[share.vault], share.epoch < current else { return nil }
                return StaleShare(share: share, currentEpoch: current)
            }
        }
    }
}
