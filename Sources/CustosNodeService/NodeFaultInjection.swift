import CustosCore
import CustosLedger
import CustosPolicy
import CustosState
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Faults a test injects into a `LogFollower` or `KeyCeremonies` on purpose, each UNSAFE: it breaks a promise the
/// node otherwise keeps, to show that the rest of the cluster survives it. The node consults this
/// value at named points of its work; `.none`, the default, injects nothing at any of them. A new
/// kind of misbehaviour is a new field and a new named point, never a branch in the node itself.
public struct NodeFaultInjection: Sendable {
    /// Exit abruptly (status `exitStatus`) right after recording the vote at this height, before
    /// sending it: a crash mid-vote.
    public var exitAfterRecordingVoteAt: UInt64?
    /// Send this node wrong shares — key shares that do not match this node's commitments in
    /// every key ceremony, signature shares that do not verify in every signing attempt: a
    /// malicious participant.
    public var corruptSharesTo: String?
    /// Exit abruptly (status `exitStatus`) right after recording a FROST nonce's use and
    /// computing the share, before sending it: a crash in the middle of signing.
    public var exitAfterRecordingNonceUse: Bool
    /// Send every peer wrong signature shares (key ceremonies stay honest): a signer that turns
    /// malicious after its vaults were made.
    public var corruptSignatureShares: Bool
    /// Sign what this node's own state refuses: for every denied message request of a FROST vault
    /// it holds a share of, compute a signature share anyway (skipping the policy re-check) and send
    /// it to two peers under the session the log would have started — a node whose policy check
    /// is gone.
    public var signAnything: Bool
    /// Deal every peer wrong round-1 presigning shares in the first run of each batch: a
    /// malicious presigner.
    public var corruptPresignShares: Bool
    /// Check proposed blocks' times against the wall clock plus the offset this file holds (the
    /// test cluster's gateway stamps blocks with the same offset).
    public var clockOffset: UnsafeClockOffset?

    public init(exitAfterRecordingVoteAt: UInt64? = nil, corruptSharesTo: String? = nil, exitAfterRecordingNonceUse: Bool = false,
                corruptSignatureShares: Bool = false, signAnything: Bool = false, corruptPresignShares: Bool = false,
                clockOffset: UnsafeClockOffset? = nil) {
        self.clockOffset = clockOffset
        self.exitAfterRecordingVoteAt = exitAfterRecordingVoteAt
        self.corruptSharesTo = corruptSharesTo
        self.exitAfterRecordingNonceUse = exitAfterRecordingNonceUse
        self.corruptSignatureShares = corruptSignatureShares
        self.signAnything = signAnything
        self.corruptPresignShares = corruptPresignShares
    }

    /// No fault: the node behaves as in production.
    public static let none = NodeFaultInjection()

    /// The exit status of an injected crash.
    public static let exitStatus: Int32 = 86

    /// Says loudly, once at start, which faults are armed.
    func announce(_ logger: Logger) {
        if let height = exitAfterRecordingVoteAt {
            logger.critical("UNSAFE FAULT INJECTION: this node exits after recording its vote", metadata: ["height": "\(height)"])
        }
        if exitAfterRecordingNonceUse {
            logger.critical("UNSAFE FAULT INJECTION: this node exits after recording the use of the first nonce it signs with")
        }
        if corruptPresignShares {
            logger.critical("UNSAFE FAULT INJECTION: this node deals wrong presigning shares")
        }
        if signAnything {
            logger.critical("UNSAFE FAULT INJECTION: this node signs requests its own state refuses")
        }
        if corruptSignatureShares {
            logger.critical("UNSAFE FAULT INJECTION: this node sends every peer wrong signature shares")
        }
        if let victim = corruptSharesTo {
            logger.critical("UNSAFE FAULT INJECTION: this node sends wrong key and signature shares", metadata: ["to": "\(victim)"])
        }
        if let clockOffset {
            logger.critical("UNSAFE FAULT INJECTION: this node checks block times against its clock plus the offset in a file", metadata: ["file": "\(clockOffset.path)"])
        }
    }

    /// Named point: `wall` is this node's clock about to judge a proposed block's time. Answers
    /// the time to judge it against.
    func blockTime(_ wall: UInt64) -> UInt64 {
        clockOffset?.adjusting(wall) ?? wall
    }

    /// Named point: `message`, this node's key or signature share for its recipient, is about to
    /// be sealed. Returns what to seal instead.
    func share(_ message: VaultShareMessage, logger: Logger) -> VaultShareMessage {
        guard corruptSharesTo == message.recipient.rawValue || (corruptSignatureShares && message.signing != nil) else { return message }
        logger.critical("UNSAFE FAULT INJECTION: sending a wrong share", metadata: ["to": "\(message.recipient)"])
        var share = message.unsafeShare
        share[share.count - 1] ^= 1
        return VaultShareMessage(vault: message.vault, epoch: message.epoch, signing: message.signing, recipient: message.recipient,
                                 unsafeShare: share)
    }

    /// Named point: the requests this node signs although its state refuses them (none unless
    /// `signAnything`): every denied message request.
    func requestsToSignAnyway(_ state: ReplicatedState) -> [RecordedRequest] {
        guard signAnything else { return [] }
        return state.requestBook.requests.values.filter { $0.outcome == .deny && $0.request.kind == .message }.sorted { $0.id < $1.id }
    }

    /// Named point: `message`, a presigning round's message from `sender` to a peer, is about to
    /// be sealed. Returns what to seal instead.
    func presignMessage(_ message: PresignMessage, from sender: NodeID, logger: Logger) -> PresignMessage {
        guard corruptPresignShares, message.round == 1, message.recipient != sender, var run = message.unsafeRuns.first, !run.isEmpty else {
            return message
        }
        logger.critical("UNSAFE FAULT INJECTION: dealing a wrong presigning share", metadata: ["to": "\(message.recipient)"])
        run[run.count - 1] ^= 1
        return PresignMessage(vault: message.vault, epoch: message.epoch, batch: message.batch, round: message.round,
                              recipient: message.recipient, unsafeRuns: [run] + message.unsafeRuns.dropFirst())
    }

    /// Named point: a nonce's use is on record and the share computed, not yet sent.
    func nonceUseRecorded(logger: Logger) {
        guard exitAfterRecordingNonceUse else { return }
        logger.critical("UNSAFE FAULT INJECTION: exiting after recording a nonce's use, before sending the share")
        _exit(Self.exitStatus)
    }

    /// Named point: the vote at `height` is on record and not yet sent.
    func voteRecorded(height: UInt64, logger: Logger) {
        guard exitAfterRecordingVoteAt == height else { return }
        logger.critical("UNSAFE FAULT INJECTION: exiting after recording the vote, before sending it", metadata: ["height": "\(height)"])
        _exit(Self.exitStatus)
    }
}
