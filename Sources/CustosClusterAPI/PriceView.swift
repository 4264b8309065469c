import CustosPolicy
import CustosState

/// One asset's USD price for one environment as the committed state holds it: the median a
/// decision for a vault of that environment at the state's block time would use (or why there is
/// none), the move its latest update was flagged with, and the latest quote of every price bot
/// of that environment (those of another never count: `PriceBook`).
public struct PriceView: Codable, Sendable, Equatable {
    public struct Quote: Codable, Sendable, Equatable {
        public var source: String
        public var usd: String
        /// Unix seconds, as the source dated it.
        public var time: Int64
    }

    public struct Move: Codable, Sendable, Equatable {
        public var from: String
        public var to: String
        public var percent: String
        public var bound: String
        public var at: Int64
    }

    /// The environment whose price bots posted it, and whose vaults' requests it prices.
    public var environment: String
    public var asset: String
    /// The median, or nil when too few sources are fresh.
    public var usd: String?
    /// How many fresh sources the median took.
    public var sources: Int
    /// Why there is no price, when `usd` is nil.
    public var problem: String?
    public var move: Move?
    public var quotes: [Quote]

    /// Every asset with a quote in `state`, by environment (production first), then asset, as of
    /// its block time.
    public static func all(in state: ReplicatedState) -> [PriceView] {
        let policy = state.policy.document.prices
        let now = Int64(state.time / 1000)
        return state.prices.boards.keys.sorted().flatMap { environment in
            let board = state.prices.board(environment)
            return board.quotes.keys.sorted().map { asset in
                let quotes = board.quotes[asset]!.values.sorted { $0.source < $1.source }.map {
                    Quote(source: $0.source, usd: $0.usd.description, time: $0.time)
                }
                let move = board.latest[asset]?.move.map {
                    Move(from: $0.from.description, to: $0.to.description, percent: $0.percent.description, bound: $0.bound.description, at: $0.at)
                }
                let name = environment.rawValue
                switch state.prices.median(of: asset, in: environment, policy: policy, at: now) {
                case .success(let median):
                    return PriceView(environment: name, asset: asset, usd: median.usd.description, sources: median.sources, problem: nil, move: move,
                                     quotes: quotes)
                case .failure(let problem):
                    return PriceView(environment: name, asset: asset, usd: nil, sources: 0, problem: problem.reason, move: move, quotes: quotes)
                }
            }
        }
    }
}
