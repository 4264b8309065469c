/// Where an entry committed: the block height and its position among the block's entries.
public struct CommittedEntry: Sendable, Hashable {
    public let height: UInt64
    public let index: Int

    public init(height: UInt64, index: Int) {
        self.height = height
        self.index = index
    }
}
