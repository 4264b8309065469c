import CustosCore
import CustosIdentity
import CustosLedger

/// The log entry by which a watcher bot reports transfers it read on a chain: kind
/// `watch.report`, payload a `SignedRequest` envelope (JSON bytes as received) whose body is a
/// `WatchReport` and whose key id is the bot. Every node checks it in the watch room
/// (`ReplicatedState.applyWatch`): a registered, active bot with the `watcher` role signed it
/// for this cluster, within `RequestBook.requestClockSkew` of the block time; the chain has a
/// registered asset; every transfer's vault address is an address of a vault; the report's
/// block is not before the watcher's last report on that chain. A report can only flag
/// addresses (`WatchBook`), never clear one: a lying watcher makes the policy stricter, not
/// looser.
public enum WatchEntry {
    public static let reportKind = "watch.report"
    /// The role a bot needs to report transfers.
    public static let watcherRole = "watcher"
    /// The most transfers one report carries, and the most bytes its entry carries: room for
    /// that many transfers at their largest (78-digit amounts), so that no transfer anyone can
    /// make on chain gives the watcher a report it cannot post (security review H1: one such
    /// report used to stop the watcher for good).
    public static let maximumTransfers = 24
    /// The most raw logs and vault transactions one report carries for the policy's `monitoring`
    /// section (`WatchedLog`, `WatchedVaultTransaction`), at their largest with the transfers
    /// within `maximumBytes`.
    public static let maximumLogs = 8
    public static let maximumVaultTransactions = 8
    public static let maximumBytes = 32 * 1024

    /// The log entry for a watcher's signed report.
    public static func report(_ request: SignedRequest) throws(LedgerError) -> Entry {
        try Entry(kind: reportKind, payload: request.jsonBytes)
    }

    /// The bot posting a `watch.report` entry, read from the entry alone: the envelope parses
    /// strictly, carries a signature, and the entry has no authorization.
    static func signer(of entry: Entry) throws(GovernanceError) -> EntrySigner {
        try RequestBook.botSigner(of: entry, what: "a watch report")
    }
}
