import CustosCore
import CustosIdentity
import CustosLedger

/// The log entry by which a price bot posts a price: kind `price.post`, payload a
/// `SignedRequest` envelope (JSON bytes as received) whose body is a `PricePost` and whose key
/// id is the bot — the price's source. Every node checks it in the prices room
/// (`ReplicatedState.applyPrice`): a registered, active bot with the `price` role signed it; the
/// envelope's timestamp is within `RequestBook.requestClockSkew` of the block time; the price's
/// time is at most `maximumFutureSkew` after the block time and later than the source's last
/// price of the asset (so an entry is never replayed); the price is within bounds.
public enum PriceEntry {
    public static let postKind = "price.post"
    /// The role a bot needs to be a price source.
    public static let sourceRole = "price"
    /// How far after the block time a price's own time may be, in seconds.
    public static let maximumFutureSkew: Int64 = 30
    /// The most bytes a price entry carries.
    public static let maximumBytes = 4 * 1024

    /// The log entry for a bot's signed price.
    public static func post(_ request: SignedRequest) throws(LedgerError) -> Entry {
        try Entry(kind: postKind, payload: request.jsonBytes)
    }

    /// The bot posting a `price.post` entry, read from the entry alone: the envelope parses
    /// strictly, carries a signature, and the entry has no authorization.
    static func signer(of entry: Entry) throws(GovernanceError) -> EntrySigner {
        try RequestBook.botSigner(of: entry, what: "a price entry")
    }
}
