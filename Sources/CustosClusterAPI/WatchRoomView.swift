import CustosPolicy
import CustosState

/// The watch room as the API shows it (`GET /v1/watch`), one entry per chain any report or
/// clearance touched, sorted by chain: how far reports cover it without a gap (`WatchCoverageView`), how many
/// counterparties are flagged poisoned one by one, how many more its flood set holds (third
/// review H-2: poisoned too) and the first transactions that planted them, and whether it
/// overflowed (its flood set was full: the poisoned test of an address neither flagged nor
/// flooded is then unknown there until the quorum clears it), and the addresses the quorum cleared
/// for good. The flagged addresses themselves show in the decisions
/// that meet them.
public struct WatchRoomView: Codable, Sendable, Equatable {
    public struct Chain: Codable, Sendable, Equatable {
        public var chain: String
        /// How far the watchers cover it: the effective coverage and each watcher's own (third
        /// review L1, review helper-58 M2).
        public var coverage: WatchCoverageView
        public var flagged: Int
        /// How many counterparties the chain's flood set holds, and how many transactions
        /// planted them.
        public var flooded: Int
        public var floodTransactions: Int
        public var overflow: Overflow?
        /// The first `maximumFloodsShown`, sorted by block, then transaction.
        public var floods: [Flood]
        /// Addresses whose flag the quorum cleared for good (`clear-watch-flag`, kind 45), sorted
        /// by address.
        public var cleared: [Clearance]
    }

    public struct Clearance: Codable, Sendable, Equatable {
        public var address: String
        /// The id of the operation that cleared it.
        public var operation: String
    }

    public struct Overflow: Codable, Sendable, Equatable {
        public var block: UInt64
        public var transaction: String
        public var unflagged: Int
    }

    public struct Flood: Codable, Sendable, Equatable {
        public var transaction: String
        public var block: UInt64
        public var members: Int
    }

    public var chains: [Chain]

    /// The most flood transactions listed per chain.
    public static let maximumFloodsShown = 64

    public init(_ state: ReplicatedState) {
        let watch = state.watch
        var cleared: [String: [Clearance]] = [:]
        for (key, operation) in watch.cleared {
            let chain = String(key.prefix { $0 != "/" })
            cleared[chain, default: []].append(Clearance(address: String(key.dropFirst(chain.count + 1)), operation: operation))
        }
        let names = Set(watch.coverages.keys).union(watch.overflows.keys).union(watch.flagsPerChain.keys).union(watch.floodSets.keys)
            .union(cleared.keys)
        chains = names.sorted().map { name in
            let transactions = watch.floodSets[name]?.transactions ?? []
            return Chain(chain: name, coverage: WatchCoverageView(chain: name, in: state), flagged: watch.flagsPerChain[name] ?? 0,
                         flooded: watch.floodSets[name]?.count ?? 0, floodTransactions: transactions.count,
                         overflow: watch.overflows[name].map { Overflow(block: $0.block, transaction: $0.transaction, unflagged: $0.unflagged) },
                         floods: transactions.prefix(Self.maximumFloodsShown).map { Flood(transaction: $0.transaction, block: $0.block, members: $0.members) },
                         cleared: (cleared[name] ?? []).sorted { $0.address < $1.address })
        }
    }

    /// The entry of `chain`, if any.
    public func chain(_ name: String) -> Chain? { chains.first { $0.chain == name } }
}
