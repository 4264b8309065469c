import CustosPolicy
import CustosState

/// The watch room as the API shows it (`GET /v1/watch`), one entry per chain any report or
/// clearance touched, sorted by chain: how far reports cover it without a gap, how many
/// counterparties are flagged poisoned, whether it overflowed (security review H1: the
/// poisoned test of an unflagged address is then unknown there until the quorum clears it) and
/// the transactions counted as floods. A watcher reads its coverage back from here before it
/// moves its cursor. The flagged addresses themselves show in the decisions that meet them.
public struct WatchRoomView: Codable, Sendable, Equatable {
    public struct Chain: Codable, Sendable, Equatable {
        public var chain: String
        /// The last block covered without a gap, and the block time (seconds) of the report that
        /// last extended the coverage; absent when no complete range was ever reported.
        public var coveredBlock: UInt64?
        public var coveredAt: Int64?
        public var flagged: Int
        public var overflow: Overflow?
        /// Sorted by block, then transaction.
        public var floods: [Flood]
    }

    public struct Overflow: Codable, Sendable, Equatable {
        public var block: UInt64
        public var transaction: String
        public var unflagged: Int
    }

    public struct Flood: Codable, Sendable, Equatable {
        public var transaction: String
        public var block: UInt64
        public var unflagged: Int
    }

    public var chains: [Chain]

    public init(_ watch: WatchBook) {
        let names = Set(watch.coverage.keys).union(watch.overflows.keys).union(watch.flagsPerChain.keys)
            .union(watch.floods.keys.map { String($0.prefix { $0 != "/" }) })
        chains = names.sorted().map { name in
            let coverage = watch.coverage[name]
            let floods = watch.floods.filter { $0.key.hasPrefix(name + "/") }
                .map { Flood(transaction: String($0.key.dropFirst(name.count + 1)), block: $0.value.block, unflagged: $0.value.unflagged) }
                .sorted { ($0.block, $0.transaction) < ($1.block, $1.transaction) }
            return Chain(chain: name, coveredBlock: coverage?.block, coveredAt: coverage?.reportedAt, flagged: watch.flagsPerChain[name] ?? 0,
                         overflow: watch.overflows[name].map { Overflow(block: $0.block, transaction: $0.transaction, unflagged: $0.unflagged) },
                         floods: floods)
        }
    }

    /// The entry of `chain`, if any.
    public func chain(_ name: String) -> Chain? { chains.first { $0.chain == name } }
}
