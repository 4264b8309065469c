import CustosCore

/// The stable codes of `GovernanceError`.
public enum GovernanceErrorCode: String, ErrorCode {
    public typealias Context = GovernanceErrorContext

    /// Bytes that are not the canonical encoding of a governance entry or genesis document, or
    /// an entry that does not decode as its kind says.
    case malformed
    /// An entry of a kind no node knows (`ReplicatedState.entryKinds`).
    case unknownKind
    /// An entry without a signature where its kind requires one.
    case unsigned
    /// An entry over its kind's size bound.
    case oversize
    /// A genesis document that cannot start a cluster.
    case invalidGenesis
    /// A policy document that does not parse, check or compile (with the cluster's users).
    case invalidPolicy
    /// The user named is not in the registry.
    case unknownUser
    /// The user named has been removed.
    case inactiveUser
    /// The assertion names a credential the user does not hold.
    case unknownCredential
    /// The WebAuthn assertion does not verify; `webAuthn` says which check failed.
    case assertionRefused
    /// A credential registration does not verify; `webAuthn` says which check failed.
    case registrationRefused
    /// No operation has this id.
    case unknownOperation
    /// No recorded request has this id (never decided, or dropped from the requests room).
    case unknownRequest
    /// An operation with this id was proposed before.
    case duplicateOperation
    /// The operation was already decided (executed, rejected, failed), or the request was
    /// decided without approvals or already approved or rejected.
    case notPending
    /// The operation's lifetime, or the request's time for approvals, ended (by block time)
    /// before this entry.
    case expired
    /// The governance policy does not let this user propose this operation.
    case notPermitted
    /// The initiator of an operation or request cannot approve it (nor reject a request).
    case initiatorCannotApprove
    /// The person an operation gives a role or a credential to tried to approve it.
    case beneficiaryCannotApprove
    /// A credential enrolment that does not count: unknown, for another person, used before,
    /// expired, or presented with a code that is not the one it names.
    case enrolmentRefused
    /// This person already approved or rejected the operation; each person decides once, and
    /// never both approves and rejects.
    case duplicateApproval
    /// The user is in none of the approver groups whose approvals count for this operation
    /// (`CompiledPolicy.approverGroups(for:in:)`), so may neither approve nor reject it.
    case notEligible
    /// The change cannot apply to the current state (user exists, role absent, not frozen, …).
    case invalidChange
    /// The change would leave no quorum able to change the policy or unfreeze.
    case lockout
    /// A signed request names a key id that is no registered bot.
    case unknownBot
    /// A signed request names a bot that has been removed.
    case inactiveBot
    /// A bot's signed request does not verify (signature, key, timestamp window, nonce);
    /// `requestSigning` says which check failed.
    case requestRefused
    /// A verified request whose body is not a transfer or contract call this bot may submit
    /// (does not decode, names another initiator, claims approvals, is a governance operation).
    case invalidRequest
    /// A node's entry names a node that is not a voting member.
    case unknownMember
    /// A node's entry carries a signature that does not verify with the member's identity key.
    case memberSignatureRefused
    /// No vault has this id.
    case unknownVault
    /// A ceremony entry that does not fit the ceremony's state: not a participant, another
    /// epoch, already sent, out of order, or after the ceremony ended.
    case ceremonyRefused
    /// A price entry the prices room does not take: its bot is no price source, its signature
    /// does not verify, or its time is in the future, not after the source's last, or stale.
    case priceRefused
    /// An approval over the policy's per-person hourly bound (`approvals.per_person_per_hour`)
    /// where the policy pauses the person, or any governance approval over it.
    case approvalLimit
    /// A request decision whose signed time is too far from the block time that commits it
    /// (held back, or the signer's clock is wrong), or an untimed approval where the policy
    /// bounds approvals.
    case decisionTiming
    /// A watch report the watch room does not take: its bot is no watcher, its chain has no
    /// registered asset, a transfer's vault address is no vault's, or its block is before the
    /// watcher's last report on the chain.
    case watchRefused
    /// A watch report read for another monitoring section than the policy in force watches on
    /// its chain: the watcher reads the range again under the section in force (its own code, so
    /// the watcher need not recognise the refusal by its text).
    case watchSectionChanged
    /// An offline signer's enrolment or response that does not count: for another cluster, vault,
    /// scheme, request or attempt, or whose identity signature or proof of possession does not
    /// verify, or a vault scheme that takes no offline share.
    case offlineRefused
    /// An answer for a vault with no offline signer, or not signed by the identity key its
    /// enrolment registered: not the offline signer's (the gateway refuses it at admission).
    case offlineSignatureRefused

    /// Whether an entry refused with this code makes every node refuse the whole block: the
    /// entry alone says it may not be in the log (`ReplicatedState.malformation(of:)`), so no
    /// state could have accepted it.
    public var refusesBlock: Bool {
        switch self {
        case .malformed, .unknownKind, .unsigned, .oversize: true
        default: false
        }
    }
}
