import CustosPolicy
import CustosState

/// The watch rooms as the API shows them (`GET /v1/watch`), one entry per environment and chain
/// any report or clearance touched, sorted by environment (production first), then chain (the
/// watchers of one environment never flag or cover for another's vaults: issue 14 item 5): how far reports cover it without a gap (`WatchCoverageView`), how many
/// counterparties are flagged poisoned one by one, how many more its flood set holds (third
/// review H-2: poisoned too), the first transactions that planted them and, beyond the set's
/// record cap, one summary per watcher, and whether it
/// overflowed (its flood set was full: the poisoned test of an address neither flagged nor
/// flooded is then unknown there until the quorum clears it), and the addresses the quorum cleared
/// for good. The flagged addresses themselves show in the decisions
/// that meet them.
public struct WatchRoomView: Codable, Sendable, Equatable {
    public struct Chain: Codable, Sendable, Equatable {
        public var chain: String
        /// The environment whose watchers reported it.
        public var environment: String
        /// How far the watchers cover it: the effective coverage and each watcher's own (third
        /// review L1, review helper-58 M2).
        public var coverage: WatchCoverageView
        public var flagged: Int
        /// How many counterparties the chain's flood set holds, and how many transactions have
        /// their own record (at most `WatchFloodSet.defaultRecordCap`).
        public var flooded: Int
        public var floodTransactions: Int
        public var overflow: Overflow?
        /// The first `maximumFloodsShown` own records, sorted by block, then transaction, then
        /// watcher (read in that order from the set, not sorted per call).
        public var floods: [Flood]
        /// The members beyond the record cap, one summary per watcher, sorted by watcher (review
        /// helper-54 M3): their transactions are not kept.
        public var floodSummaries: [FloodSummary]
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
        /// The watcher bot whose reports planted them.
        public var reporter: String
    }

    public struct FloodSummary: Codable, Sendable, Equatable {
        public var reporter: String
        public var members: Int
        /// The lowest and highest chain block of its members.
        public var firstBlock: UInt64
        public var lastBlock: UInt64
    }

    public var chains: [Chain]

    /// The most flood transactions listed per chain.
    public static let maximumFloodsShown = 64

    public init(_ state: ReplicatedState) {
        chains = state.watches.keys.sorted().flatMap { Self.chains(of: $0, in: state) }
    }

    /// The entries of the watch room of `environment`, sorted by chain.
    private static func chains(of environment: DeploymentEnvironment, in state: ReplicatedState) -> [Chain] {
        let watch = state.watch(environment)
        var cleared: [String: [Clearance]] = [:]
        for (key, operation) in watch.cleared {
            let chain = String(key.prefix { $0 != "/" })
            cleared[chain, default: []].append(Clearance(address: String(key.dropFirst(chain.count + 1)), operation: operation))
        }
        let names = Set(watch.coverages.keys).union(watch.overflows.keys).union(watch.flagsPerChain.keys).union(watch.floodSets.keys)
            .union(cleared.keys)
        return names.sorted().map { name in
            let set = watch.floodSets[name]
            let shown = set?.transactions(first: Self.maximumFloodsShown) ?? []
            return Chain(chain: name, environment: environment.rawValue, coverage: WatchCoverageView(chain: name, environment: environment, in: state),
                         flagged: watch.flagsPerChain[name] ?? 0,
                         flooded: set?.count ?? 0, floodTransactions: set?.transactionCount ?? 0,
                         overflow: watch.overflows[name].map { Overflow(block: $0.block, transaction: $0.transaction, unflagged: $0.unflagged) },
                         floods: shown.map { Flood(transaction: $0.transaction?.hex ?? "", block: $0.block, members: $0.members, reporter: $0.reporter) },
                         floodSummaries: (set?.summaries ?? []).map {
                             FloodSummary(reporter: $0.reporter, members: $0.members, firstBlock: $0.block, lastBlock: $0.lastBlock)
                         },
                         cleared: (cleared[name] ?? []).sorted { $0.address < $1.address })
        }
    }

    /// The entry of `chain` in `environment`'s room, if any.
    public func chain(_ name: String, in environment: DeploymentEnvironment) -> Chain? {
        chains.first { $0.chain == name && $0.environment == environment.rawValue }
    }
}
