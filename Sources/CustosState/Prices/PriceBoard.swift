import CustosCore
import CustosPolicy

/// The prices of one environment (`PriceBook.boards`): the latest quote of every price bot of
/// that environment for every asset, and each asset's median after its latest price entry (with
/// its flagged move). Only the bots of one environment post on a board, so a bot of another
/// environment never moves the median a vault of this one is charged at.
public struct PriceBoard: Sendable, Codable {
    /// The latest quote of each source, by asset and then by source (price bot id).
    public private(set) var quotes: [String: [String: PriceQuote]] = [:]
    /// Each asset's median right after its latest price entry that left one, with the move that
    /// entry made if it went beyond the policy's bound, kept until it is confirmed.
    public private(set) var latest: [String: PriceMedian] = [:]
    /// For each asset whose median moved beyond the bound, the sources that have quoted the new
    /// level since (the entry that made the move not counted). The move is confirmed — and the
    /// median used again — once `min_sources` distinct sources have, so the sources that moved it
    /// cannot confirm it alone, however often they post. Derived from the quotes in order, which
    /// the book's journal covers.
    private var confirmations: [String: Set<String>] = [:]

    init() {}

    /// Keeps `quote` as its source's latest for `asset`, and the asset's new median at block time
    /// `time` (seconds) under `policy`, flagging a move beyond its bound from the previous one.
    mutating func record(_ quote: PriceQuote, of asset: String, policy: PricePolicy, at time: Int64) {
        quotes[asset, default: [:]][quote.source] = quote
        guard case .success(var median) = policy.median(of: asset, quotes: quotes[asset]!.values, at: time) else { return }
        if let previous = latest[asset] {
            if let move = policy.move(from: previous.usd, to: median.usd, at: time) {
                median.move = move
                confirmations[asset] = []
            } else if let pending = previous.move {
                var confirmed = confirmations[asset] ?? []
                if policy.move(from: previous.usd, to: quote.usd, at: time) == nil { confirmed.insert(quote.source) }
                if confirmed.count >= policy.minSources {
                    confirmations[asset] = nil
                } else {
                    median.move = pending
                    confirmations[asset] = confirmed
                }
            }
        }
        latest[asset] = median
    }

    /// The USD price of `asset` a decision at block time `time` (seconds) uses under `policy`,
    /// or why there is none; it carries the move its latest update was flagged with, or — when
    /// quotes that aged out since moved the median beyond the bound with no entry at all — that
    /// move, so a median nobody posted is not used either. `environment` names the board in
    /// the reason when no source of it quoted the asset.
    func median(of asset: String, in environment: DeploymentEnvironment, policy: PricePolicy, at time: Int64) -> Result<PriceMedian, PriceUnavailable> {
        guard let sources = quotes[asset], !sources.isEmpty else { return .failure(PriceBook.unquoted(asset, in: environment)) }
        return policy.median(of: asset, quotes: sources.values, at: time).map { found in
            var median = found
            guard let recorded = latest[asset] else { return median }
            median.move = recorded.move ?? policy.move(from: recorded.usd, to: found.usd, at: time)
            return median
        }
    }
}
