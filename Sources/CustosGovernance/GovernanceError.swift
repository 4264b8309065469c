import CustosCore
import CustosCrypto
import CustosIdentity

/// Why a genesis document or a governance log entry was refused. A refused entry changes nothing
/// in the governed state; its error is what every node records (`GovernanceState.refusals`), so
/// the `code` is stable and the `reason` deterministic (it never mentions a clock or a node).
/// Equality is on `code` only, so tests match codes.
public struct GovernanceError: CodedError, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case malformed, invalidGenesis, invalidPolicy, unknownUser, inactiveUser, unknownCredential,
                assertionRefused, registrationRefused, unknownOperation, duplicateOperation, notPending, expired,
                notPermitted, initiatorCannotApprove, duplicateApproval, notEligible, invalidChange, lockout,
                unknownBot, inactiveBot, requestRefused, invalidRequest
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Bytes that are not the canonical encoding of a governance entry or genesis document.
        public static let malformed = Code(.malformed)
        /// A genesis document that cannot start a cluster.
        public static let invalidGenesis = Code(.invalidGenesis)
        /// A policy document that does not parse, check or compile (with the cluster's users).
        public static let invalidPolicy = Code(.invalidPolicy)
        /// The user named is not in the registry.
        public static let unknownUser = Code(.unknownUser)
        /// The user named has been removed.
        public static let inactiveUser = Code(.inactiveUser)
        /// The assertion names a credential the user does not hold.
        public static let unknownCredential = Code(.unknownCredential)
        /// The WebAuthn assertion does not verify; `webAuthn` says which check failed.
        public static let assertionRefused = Code(.assertionRefused)
        /// A credential registration does not verify; `webAuthn` says which check failed.
        public static let registrationRefused = Code(.registrationRefused)
        /// No operation has this id.
        public static let unknownOperation = Code(.unknownOperation)
        /// An operation with this id was proposed before.
        public static let duplicateOperation = Code(.duplicateOperation)
        /// The operation was already decided (executed, rejected, failed).
        public static let notPending = Code(.notPending)
        /// The operation's lifetime ended (by block time) before this entry.
        public static let expired = Code(.expired)
        /// The governance policy does not let this user propose this operation.
        public static let notPermitted = Code(.notPermitted)
        /// The initiator of an operation cannot approve it.
        public static let initiatorCannotApprove = Code(.initiatorCannotApprove)
        /// This person already approved (or rejected) the operation; each person counts once.
        public static let duplicateApproval = Code(.duplicateApproval)
        /// The user belongs to no approver group of the governance policy.
        public static let notEligible = Code(.notEligible)
        /// The change cannot apply to the current state (user exists, role absent, not frozen, …).
        public static let invalidChange = Code(.invalidChange)
        /// The change would leave no quorum able to change the policy or unfreeze.
        public static let lockout = Code(.lockout)
        /// A signed request names a key id that is no registered bot.
        public static let unknownBot = Code(.unknownBot)
        /// A signed request names a bot that has been removed.
        public static let inactiveBot = Code(.inactiveBot)
        /// A bot's signed request does not verify (signature, key, timestamp window, nonce);
        /// `requestSigning` says which check failed.
        public static let requestRefused = Code(.requestRefused)
        /// A verified request whose body is not a transfer or contract call this bot may submit
        /// (does not decode, names another initiator, claims approvals, is a governance operation).
        public static let invalidRequest = Code(.invalidRequest)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let reason: String
    /// The WebAuthn check that failed, for `assertionRefused` and `registrationRefused`.
    public let webAuthn: WebAuthnError.Code?
    /// The request-signing check that failed, for `requestRefused` and for an envelope that is
    /// `malformed`.
    public let requestSigning: RequestSigningError.Code?
    public let fileID: String
    public let line: Int

    public init(
        _ code: Code, _ reason: String, webAuthn: WebAuthnError.Code? = nil, requestSigning: RequestSigningError.Code? = nil,
        fileID: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.reason = reason
        self.webAuthn = webAuthn
        self.requestSigning = requestSigning
        self.fileID = fileID
        self.line = line
    }
}
