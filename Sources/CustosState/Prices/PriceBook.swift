import CustosCore
import CustosPolicy

/// The prices room of the replicated state: one `PriceBoard` per environment, holding what the
/// price bots of that environment posted. It changes only through accepted `price.post`
/// entries; a decision takes its price from here with `median(of:in:policy:at:)`, at its own
/// block time and for its vault's environment, so a price goes stale on every node alike and a
/// development price bot never moves the USD notional of a production vault's request (nor the
/// reverse). A bot registered without an environment is a development bot
/// (`DeploymentEnvironment.unnamedBot`): its prices count for development vaults only.
public struct PriceBook: Sendable, Codable {
    /// The board of each environment some price bot of it posted on.
    public private(set) var boards: [DeploymentEnvironment: PriceBoard] = [:]
    /// Every accepted quote, in order, with its bot's environment (the digest's view of the room).
    private(set) var journal = WriteJournal(room: "prices")

    init() {}

    /// The board of `environment` (empty when none of its bots posted).
    public func board(_ environment: DeploymentEnvironment) -> PriceBoard { boards[environment] ?? PriceBoard() }

    /// Keeps `quote`, posted by a bot of `environment`, as its source's latest for `asset` on
    /// that environment's board, with the board's new median at block time `time` (seconds)
    /// under `policy` (`PriceBoard.record`).
    mutating func record(_ quote: PriceQuote, of asset: String, environment: DeploymentEnvironment, policy: PricePolicy, at time: Int64) {
        boards[environment, default: PriceBoard()].record(quote, of: asset, policy: policy, at: time)
        journal.record { w in
            w.append(string: environment.rawValue)
            w.append(string: asset)
            w.append(string: quote.source)
            w.append(string: quote.usd.description)
            w.append(UInt64(bitPattern: quote.time))
        }
    }

    /// The USD price of `asset` a decision for a vault of `environment` at block time `time`
    /// (seconds) uses under `policy`, from the prices of that environment's bots alone, or why
    /// there is none (`PriceBoard.median`).
    public func median(of asset: String, in environment: DeploymentEnvironment, policy: PricePolicy, at time: Int64) -> Result<PriceMedian, PriceUnavailable> {
        board(environment).median(of: asset, in: environment, policy: policy, at: time)
    }

    /// Why there is no price of `asset` for a vault of `environment`: no price bot of that
    /// environment quoted it (those of another environment do not count).
    static func unquoted(_ asset: String, in environment: DeploymentEnvironment) -> PriceUnavailable {
        // Worded as evaluation words a snapshot without the asset's price, naming the environment.
        PriceUnavailable("no USD price for \(asset.isEmpty ? "the asset" : asset) in the state from a \(environment.rawValue) price bot")
    }
}
