extension NodeBackup {
    /// Which vault key share a backup holds: the vault and the key epoch it signs in.
    public struct Share: Sendable, Hashable, CustomStringConvertible {
        public let vault: String
        public let epoch: UInt64

        public init(vault: String, epoch: UInt64) {
            self.vault = vault
            self.epoch = epoch
        }

        public var description: String { "\(vault) epoch \(epoch)" }
    }

    /// A share of the backup the vault has moved past, with the vault's current key epoch.
    public struct StaleShare: Sendable, Hashable {
        public let share: Share
        public let currentEpoch: UInt64
    }
}
