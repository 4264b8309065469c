import CustosLedger
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
    /// In every key ceremony, send this node a secret share that does not match this node's
    /// commitments: a malicious participant.
    public var corruptKeyShareTo: String?

    public init(exitAfterRecordingVoteAt: UInt64? = nil, corruptKeyShareTo: String? = nil) {
        self.exitAfterRecordingVoteAt = exitAfterRecordingVoteAt
        self.corruptKeyShareTo = corruptKeyShareTo
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
        if let victim = corruptKeyShareTo {
            logger.critical("UNSAFE FAULT INJECTION: this node sends a wrong key share in every key ceremony", metadata: ["to": "\(victim)"])
        }
    }

    /// Named point: `message`, this node's secret share for `recipient`, is about to be sealed.
    /// Returns what to seal instead.
    func keyShare(_ message: VaultShareMessage, logger: Logger) -> VaultShareMessage {
        guard corruptKeyShareTo == message.recipient.rawValue else { return message }
        logger.critical("UNSAFE FAULT INJECTION: sending a wrong key share", metadata: ["to": "\(message.recipient)"])
        var share = message.unsafeShare
        share[share.count - 1] ^= 1
        return VaultShareMessage(vault: message.vault, epoch: message.epoch, recipient: message.recipient, unsafeShare: share)
    }

    /// Named point: the vote at `height` is on record and not yet sent.
    func voteRecorded(height: UInt64, logger: Logger) {
        guard exitAfterRecordingVoteAt == height else { return }
        logger.critical("UNSAFE FAULT INJECTION: exiting after recording the vote, before sending it", metadata: ["height": "\(height)"])
        _exit(Self.exitStatus)
    }
}
