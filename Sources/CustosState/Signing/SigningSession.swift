import CustosLedger

/// The signature of one allowed request, as the log drives it: which vault signs which message,
/// the attempt (a new attempt takes another signer set and fresh nonces or another presignature),
/// the signers and the FROST nonce commitment or ECDSA presignature the log assigned them from
/// the vault's pool, the deadline in block
/// time, and the outcome — the signature every node verified, or why it could not be made.
public struct SigningSession: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// Allowed, but too few signers have nonce commitments in the pool yet (or signing is
        /// frozen, or a reshare runs); it fails after `waitLimit`.
        case waiting
        /// Signers and commitments are assigned; their shares are due by `deadline`.
        case signing
        /// The signature is in the log, verified by every node.
        case signed
        /// Given up: every attempt ran out, or the vault stopped being usable.
        case failed
    }

    /// A node the log proved misbehaved in an attempt (a wrong share, a false accusation), or the
    /// vault's offline signer (an answer whose share does not verify).
    public struct Blame: Sendable, Hashable, Codable {
        public let attempt: UInt32
        /// The member; nil for the vault's offline signer.
        public let culprit: NodeID?
        public let reason: String
        public let at: UInt64
    }

    public let requestId: String
    public let vault: String
    /// The key epoch whose shares sign; a refresh that completes moves a session that has not
    /// signed yet to the new epoch.
    public internal(set) var epoch: UInt32
    /// What is signed, as every node derived it from the committed request.
    public let message: [UInt8]
    public internal(set) var status: Status
    public internal(set) var attempt: UInt32
    public internal(set) var signers: [NodeID]
    /// The nonce commitment of each signer for this attempt (FROST wire encoding).
    public internal(set) var commitments: [NodeID: [UInt8]]
    public internal(set) var startedAt: UInt64
    public internal(set) var startedHeight: UInt64
    /// `startedAt` and the policy's `signing.attempt_timeout` then, in block time.
    public internal(set) var deadline: UInt64
    public internal(set) var signature: [UInt8]?
    public internal(set) var signedAt: UInt64?
    public internal(set) var signedHeight: UInt64?
    /// The member whose `vault.sign.signature` entry the log took.
    public internal(set) var signedBy: NodeID?
    public internal(set) var blames: [Blame]
    public internal(set) var failure: String?
    /// ECDSA vaults: the pooled presignature the log assigned this attempt (its signers sign).
    public internal(set) var presignature: PooledPresignature? = nil
    /// The non-hardened BIP-32 path below the vault key of the key that signs (empty for the
    /// vault key itself): a transaction is signed by the key of its sender's address.
    public internal(set) var path: [UInt32] = []
    /// Vaults with an offline share: the current attempt's attestations and the offline signer's
    /// answer (nil for other vaults, and while no attempt runs).
    public internal(set) var offline: OfflineSigningAttempt? = nil

    /// Attempts before the session fails.
    public static let maximumAttempts: UInt32 = 8
    /// How long, in block time, a session may wait for a signer set after it opened or after its
    /// last attempt started (`startedAt`): while no signer set has nonces or a presignature,
    /// while signing is frozen, or while a reshare runs. Then it fails and no new attempt starts,
    /// so a request allowed long ago is not taken up again later: its initiator submits it again
    /// and every node decides it afresh. With `maximumAttempts`, this bounds how long after its
    /// decision an attempt can start. (A signature an earlier attempt already made is not
    /// unmade: whoever holds it holds it.) A retry after a gap of blocks longer than the limit
    /// fails at once, since the last attempt started before the gap.
    public static let waitLimit: UInt64 = 15 * 60 * 1000
}
