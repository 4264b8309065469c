/// One way a recorded receipt differs from its plan's intent, as every node found it
/// (`PlannedTransaction.differences(from:)`): a stable `code`, the index of the log it concerns
/// (if one), and English `text` for people. The state digest hashes the code and the log index
/// only, so rewording the text never splits the cluster.
public struct ReceiptMismatch: Sendable, Hashable, Codable {
    public enum Code: String, Sendable, Hashable, CaseIterable, Codable {
        /// The transaction was mined and its execution reverted.
        case reverted
        /// The token transfer the call decided is not in the logs exactly once (another amount,
        /// another recipient, another token, none or several).
        case transferMismatch = "transfer-mismatch"
        /// A `Transfer` (ERC-20/721) or `TransferSingle`/`TransferBatch` (ERC-1155) moved something
        /// out of the sender that the call did not decide.
        case unexpectedTransfer = "unexpected-transfer"
        /// An `Approval` or `ApprovalForAll` with the sender as owner that the call did not decide.
        case unexpectedApproval = "unexpected-approval"
        /// An `OwnershipTransferred`, `AdminChanged`, `Upgraded` or `RoleGranted` the call did not
        /// decide, emitted by the contract called or a registered token.
        case unexpectedAuthorityChange = "unexpected-authority-change"
        /// One of those authority events emitted by a contract that is neither the one called nor
        /// a registered token (review helper-97 M5): worth a look, but the vault's own authority
        /// is not shown to be touched, so it never freezes signing.
        case foreignAuthorityEvent = "foreign-authority-event"
        /// A `Transfer`, `TransferSingle`/`TransferBatch` or `Approval`/`ApprovalForAll` naming the
        /// sender, or a log with too few topics to tell whom it concerns, emitted by a contract that
        /// is neither the one called (with calldata) nor a registered token (review M2): any
        /// contract the transaction touches can emit one without moving anything the vault holds,
        /// so it is shown but never freezes signing.
        case foreignEvent = "foreign-event"
        /// A log with one of those events' signatures but too few topics to tell whom it concerns,
        /// from the contract called or a registered token.
        case unreadableLog = "unreadable-log"
        /// The transaction emitted more logs than a receipt entry carries: the rest was never verified.
        case tooManyLogs = "too-many-logs"
        /// The call is one whose effects the verification cannot model (a Safe `execTransaction`
        /// or owner change, a multisend, a contract creation, an upgrade with a call, an unknown
        /// or malformed call): only the events above were checked, so a clean-looking receipt
        /// proves little (review helper-96/97 M4).
        case unverifiableCall = "unverifiable-call"
        /// A deployment's code, read by f+1 members at the contract's address at its block, is not
        /// the reviewed runtime code (`PlannedTransaction.deploymentDifferences`).
        case runtimeCodeMismatch = "runtime-code-mismatch"
        /// A deployment's expected view call failed or answered other bytes than the request expects.
        case initialStateMismatch = "initial-state-mismatch"

        /// Whether a confirmed receipt with this mismatch may freeze signing (`alerts.freeze_on`):
        /// all but a foreign contract's events and an unverifiable call, which say "look", not
        /// "something went wrong".
        public var freezes: Bool { self != .foreignAuthorityEvent && self != .foreignEvent && self != .unverifiableCall }
    }

    public let code: Code
    /// Index of the log (in the transaction's order) this mismatch is about.
    public let log: Int?
    /// In words, for display; never part of the state digest.
    public let text: String

    public init(_ code: Code, log: Int? = nil, _ text: String) {
        self.code = code
        self.log = log
        self.text = text
    }
}
