import CustosCore
import CustosPolicy

/// The windows room of the replicated state: one `WindowBook` per environment, each holding the
/// rolling-window totals and the destination history of the requests of that environment alone
/// (`ReplicatedState.windowEnvironment`). A development bot's requests never fill a production
/// counterparty's or the firm's production totals, and a development transfer never makes a
/// destination "seen" (nor raises its largest notional) for a production rule, nor the reverse
/// (review helper-125 H1). Every environment has its book from genesis, so each is keyed by the
/// policy in force and re-keyed with it.
public struct WindowsRoom: Sendable, Codable {
    /// The book of each environment.
    private var books: [DeploymentEnvironment: WindowBook]

    /// An empty book per environment, keyed by `policy`.
    package init(policy: CompiledPolicy) {
        books = Dictionary(uniqueKeysWithValues: DeploymentEnvironment.allCases.map { ($0, WindowBook(policy: policy)) })
    }

    /// The book of `environment`: its totals and destination history.
    public func book(_ environment: DeploymentEnvironment) -> WindowBook { books[environment]! }

    /// How many counted requests the books hold together (released ones included, until they expire).
    public var heldCount: Int { books.values.reduce(0) { $0 + $1.heldCount } }

    /// Whether `id` was counted, in any environment, and still counts.
    public func counts(_ id: String) -> Bool { books.values.contains { $0.counts(id) } }

    /// Counts request `id` in the book of `environment` (`WindowBook.count`).
    package mutating func count(_ id: String, request: PolicyRequest, charge: WindowCharge, in environment: DeploymentEnvironment, at time: UInt64) {
        books[environment]!.count(id, request: request, charge: charge, at: time)
    }

    /// Stops counting request `id` in whichever book counts it (`WindowBook.release`).
    package mutating func release(_ id: String) {
        for environment in DeploymentEnvironment.allCases where books[environment]!.counts(id) { books[environment]!.release(id) }
    }

    /// Lets every book's requests leave the windows they passed by block time `time` (ms).
    package mutating func expire(at time: UInt64) {
        for environment in DeploymentEnvironment.allCases { books[environment]!.expire(at: time) }
    }

    /// Re-keys every book for `policy` (`WindowBook.adopt`).
    package mutating func adopt(_ policy: CompiledPolicy, at time: UInt64) {
        for environment in DeploymentEnvironment.allCases { books[environment]!.adopt(policy, at: time) }
    }

    /// The counted requests the books still hold from before block time `time` (ms), with their
    /// environment (`WindowBook.held(before:)`), in the order of their block times (by
    /// environment within one): a replay's seed.
    package func held(before time: UInt64) -> [(environment: DeploymentEnvironment, id: String, time: UInt64, request: PolicyRequest, usd: FixedDecimal)] {
        let all = DeploymentEnvironment.allCases.flatMap { environment in
            books[environment]!.held(before: time).map { (environment: environment, id: $0.id, time: $0.time, request: $0.request, usd: $0.usd) }
        }
        return all.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    /// How many counted requests the books still hold from before block time `time` (ms).
    package func heldCount(before time: UInt64) -> Int {
        books.values.reduce(0) { $0 + $1.held(before: time).count }
    }

    /// Each environment's held count and journal head, in the environments' order (the digest's
    /// view of the room).
    var journals: [(environment: DeploymentEnvironment, held: Int, journal: WriteJournal)] {
        DeploymentEnvironment.allCases.map { ($0, books[$0]!.heldCount, books[$0]!.journal) }
    }
}
