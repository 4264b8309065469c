/// How many submitted entries the gateway keeps queued (accepted, not yet in a proposal): per
/// signer (a bot, a person, a member) and in total. A submission beyond either bound is refused
/// at once (429 for its signer, 503 for everyone) instead of growing the queue.
public struct GatewayQueueBounds: Sendable, Hashable {
    /// Entries one signer may have queued.
    public var perSigner: Int
    /// Entries the queue may hold in all.
    public var total: Int

    /// Both bounds at least 1.
    public init(perSigner: Int, total: Int) {
        precondition(perSigner >= 1 && total >= 1, "queue bounds are at least 1")
        self.perSigner = perSigner
        self.total = total
    }

    /// Room for 1,000 entries from one signer — four blocks' worth — and 20,000 in all.
    public static let standard = GatewayQueueBounds(perSigner: 1_000, total: 20_000)
}
