/// The policy's `signing` section: how long, in block time, the signers of one attempt have to
/// sign a request and the signers of one presigning batch have to finish it, before the log
/// gives the request to another signer set or ends the batch (naming who stayed silent). A
/// shorter limit moves past a crashed or silent signer sooner; one too short for the signers'
/// network fails honest attempts (a request has `SigningSession.maximumAttempts`). A failed
/// presigning batch's signers always have at least 30 s to show their evidence, whatever this
/// says, since one that shows none is excluded.
///
///     signing: {attempt_timeout: 30s}
public struct SigningTimePolicy: Sendable, Hashable {
    /// Seconds of block time per signing attempt and per presigning batch.
    public var attemptTimeoutSeconds: Int

    /// The limit of a policy without the section.
    public static let defaultAttemptTimeoutSeconds = 30
    /// The bounds a document may set.
    /// At least the nodes' allowed clock skew (`NodeConsensus.defaultMaximumClockSkew`): a proposer
    /// may stamp a block that far ahead.
    public static let attemptTimeoutRange = 10...600

    public init(attemptTimeoutSeconds: Int = defaultAttemptTimeoutSeconds) {
        self.attemptTimeoutSeconds = attemptTimeoutSeconds
    }

    /// `attemptTimeoutSeconds` in milliseconds of block time.
    public var attemptTimeoutMillis: UInt64 { UInt64(attemptTimeoutSeconds) * 1000 }
}
