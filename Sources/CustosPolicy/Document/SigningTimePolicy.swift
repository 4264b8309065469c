/// The policy's `signing` section: how long, in block time, the signers of one attempt have to
/// sign a request and the signers of one presigning batch have to finish it, before the log
/// gives the request to another signer set or ends the batch (naming who stayed silent). A
/// shorter limit moves past a crashed or silent signer sooner; one too short for the signers'
/// network fails honest attempts (a request has `SigningSession.maximumAttempts`). A failed
/// presigning batch's signers always have at least 30 s to show their evidence, whatever this
/// says, since one that shows none is excluded. An attempt of a vault with an offline share waits
/// `offline_timeout` for the offline signer's answer (people carry the bundle to an air-gapped
/// machine and back), then `attempt_timeout` for the online signers' shares.
///
///     signing: {attempt_timeout: 30s, offline_timeout: 4h}
public struct SigningTimePolicy: Sendable, Hashable {
    /// Seconds of block time per signing attempt and per presigning batch.
    public var attemptTimeoutSeconds: Int
    /// Seconds of block time an attempt of a vault with an offline share waits for its answer.
    public var offlineTimeoutSeconds: Int

    /// The limit of a policy without the section.
    public static let defaultAttemptTimeoutSeconds = 30
    /// The bounds a document may set.
    /// At least the nodes' allowed clock skew (`NodeConsensus.defaultMaximumClockSkew`): a proposer
    /// may stamp a block that far ahead.
    public static let attemptTimeoutRange = 10...600
    /// The offline answer's limit without `offline_timeout`: 4 hours.
    public static let defaultOfflineTimeoutSeconds = 4 * 3600
    /// From 1 minute (a drill, a test) to 7 days.
    public static let offlineTimeoutRange = 60...(7 * 24 * 3600)

    public init(attemptTimeoutSeconds: Int = defaultAttemptTimeoutSeconds, offlineTimeoutSeconds: Int = defaultOfflineTimeoutSeconds) {
        self.attemptTimeoutSeconds = attemptTimeoutSeconds
        self.offlineTimeoutSeconds = offlineTimeoutSeconds
    }

    /// `attemptTimeoutSeconds` in milliseconds of block time.
    public var attemptTimeoutMillis: UInt64 { UInt64(attemptTimeoutSeconds) * 1000 }

    /// `offlineTimeoutSeconds` in milliseconds of block time.
    public var offlineTimeoutMillis: UInt64 { UInt64(offlineTimeoutSeconds) * 1000 }

    /// How long, in block time, the online signers of an attempt of a vault with an offline share
    /// have once its answer is in the log: four attempt timeouts, at least 2 minutes. An attempt
    /// that runs out needs another trip to the offline signer, so a slow signer costs more here.
    public var afterOfflineAnswerMillis: UInt64 { max(attemptTimeoutMillis * 4, 120_000) }
}
