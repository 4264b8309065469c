import CustosLedger

/// A batch of threshold-ECDSA presigning runs the log started for a vault's pool: which 2t+1
/// nodes run it, how many runs, when (block time and height, which name its relay session),
/// its deadline, and each signer's round-4 confirmations as the log received them. A run's
/// presignature enters the pool only when every signer confirmed the same digest for it.
public struct PresignBatch: Sendable, Hashable, Codable {
    public let number: UInt32
    public let signers: [NodeID]
    public let count: Int
    public let startedAt: UInt64
    public let startedHeight: UInt64
    /// Confirmations are due by then (the policy's `signing.attempt_timeout` after the batch
    /// started), and in the blame phase, evidence (that timeout, at least `evidenceTimeLimit`,
    /// after the phase started), in block time.
    public internal(set) var deadline: UInt64
    /// Per signer, one digest per run (empty where that signer's checks failed).
    public internal(set) var confirmations: [NodeID: [[UInt8]]]
    /// Set once every signer confirmed and some run failed: the run whose evidence every signer
    /// must show by `deadline` (none of the batch is pooled).
    public internal(set) var failedRun: UInt16? = nil
    /// The `vault.ecdsa.presign.evidence` payloads shown so far, by signer.
    public internal(set) var evidence: [NodeID: [UInt8]] = [:]

    /// Runs in one batch: one relay message per round and peer carries them all (and a blame
    /// shows a peer's three messages whole, which must fit one entry).
    public static let size = 8
    /// Batches running at once per vault.
    public static let maximumRunning = 2
    /// The least time, in block time, the signers of a failed batch have to show their evidence
    /// (a signer that shows none is convicted), and the least time a silent signer rests.
    public static let evidenceTimeLimit: UInt64 = 30 * 1000
}

/// One presignature in a vault's pool, as the log knows it: its batch and run, the signers that
/// hold its shares (only they can sign with it, together), the batch's start height (its relay
/// session), and the round-4 digest they all confirmed (which fixes its public data, so a wrong
/// signature share made with it can be proven wrong).
public struct PooledPresignature: Sendable, Hashable, Codable {
    public let batch: UInt32
    public let index: UInt16
    public let signers: [NodeID]
    public let startedHeight: UInt64
    public let digest: [UInt8]
}

/// What the log proved about a failed presigning batch: who deviated, and why.
public struct PresignBlameRecord: Sendable, Hashable, Codable {
    public let batch: UInt32
    public let culprits: [NodeID]
    public let reason: String
    public let at: UInt64
}
