import CustosCore

/// The transactions room of the replicated state: the planned EVM transaction of every recorded
/// transfer or contract call request, by request id, and the next nonce of every vault address
/// on every chain. Every write is folded into a `WriteJournal` that the state digest takes in
/// place of the plans; the nonces enter the digest in full.
public struct TransactionBook: Sendable, Hashable {
    private var plans = ShardedDictionary<String, PlannedTransaction>()
    /// The next nonce of each sender, by `nonceKey(chainId:address:)`; absent means 0.
    public private(set) var nextNonces: [String: UInt64] = [:]
    /// Every write to a plan or a nonce, in order.
    private(set) var journal = WriteJournal(room: "transactions")

    public init() {}

    /// The plan of `request`; setting one records the write in the journal.
    public internal(set) subscript(request: String) -> PlannedTransaction? {
        get { plans[request] }
        set {
            plans[request] = newValue
            journal.record { w in
                w.append(string: request)
                w.append(newValue != nil)
                if let newValue { w.append(newValue) }
            }
        }
    }

    /// The next nonce of `address` (EIP-55) on chain `chainId`: 0 for one that never sent.
    public func nextNonce(chainId: UInt64, address: String) -> UInt64 {
        nextNonces[Self.nonceKey(chainId: chainId, address: address)] ?? 0
    }

    /// Moves the next nonce of `address` on `chainId` to `nonce`.
    mutating func setNextNonce(_ nonce: UInt64, chainId: UInt64, address: String) {
        let key = Self.nonceKey(chainId: chainId, address: address)
        nextNonces[key] = nonce
        journal.record { w in
            w.append(string: key)
            w.append(nonce)
        }
    }

    /// `chainId:address`, the address in lowercase hex.
    public static func nonceKey(chainId: UInt64, address: String) -> String { "\(chainId):\(address.lowercased())" }

    public var values: some Sequence<PlannedTransaction> { plans.values }
    public var count: Int { plans.count }
}
