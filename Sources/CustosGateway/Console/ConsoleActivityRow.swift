import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState

/// One committed log entry as the activity view reads it: when (its block's time), who signed it
/// (as the entry names its signer), what it does in words, the vault and destination of the
/// request it concerns, the approvals that request or operation has now, the members whose votes
/// certified the block, and for a signature the members that made it. Read from the certified
/// block and the committed state (what the state still keeps: the last requests, every
/// operation); nothing here is verified again — `custos audit verify` does that with the export.
/// Every text is raw: the page shows it through `ConsoleText`, the CSV through `csvCell`.
struct ConsoleActivityRow: Sendable, Hashable {
    let height: UInt64
    let index: Int
    /// Block time, milliseconds since the Unix epoch.
    let time: UInt64
    let kind: String
    /// `person erin`, `bot risk-bot`, `member node-1`; `unknown` for an entry no node accepts.
    let who: String
    /// The signer's id, for the person filter.
    let signer: String
    let what: String
    let vault: String
    /// The destination's address and, when the policy in force names it, its address-book entry.
    let destination: String
    let approvals: [String]
    let voted: [String]
    let signedBy: [String]

    /// `refused`: why every node refused the entry (`GovernedView.refusedEntries`). Such an entry
    /// is nobody's act, whoever it names (a forged approval names its victim): it is shown as
    /// refused, with the name it carries, and no person filter finds it.
    init(_ entry: Entry, index: Int, of certified: CertifiedBlock, in state: ReplicatedState, refused: GovernanceError? = nil) {
        height = certified.block.height
        self.index = index
        time = certified.block.timestamp
        kind = entry.kind
        voted = certified.certificate.voters.map(\.rawValue)
        let signer = try? ReplicatedState.signer(of: entry)
        if let refused {
            who = "nobody: refused" + (signer.map { " (it names \($0.role.rawValue) \($0.id))" } ?? "")
            self.signer = ""
            what = "refused: \(refused.code): \(refused.reason)"
            vault = ""
            destination = ""
            approvals = []
            signedBy = []
            return
        }
        who = signer.map { "\($0.role.rawValue) \($0.id)" } ?? "unknown"
        self.signer = signer?.id ?? ""
        var what = entry.kind
        var request: RecordedRequest? = nil
        var approvals: [String] = []
        var signedBy: [String] = []
        switch entry.kind {
        case RequestEntry.submitKind:
            if let signed = try? SignedRequest(json: entry.payload) {
                let id = Hashes.sha256(signed.signingInput).hexString
                request = state.requestBook.requests[id]
                what = request.map { "Request \(id.prefix(12)): \(ConsoleRequestItem.summary($0.request, in: state)) (\(Self.status(of: $0)))" }
                    ?? "Request \(id.prefix(12)) (no longer kept in the state, or refused)"
            }
        case RequestDecisionEntry.approveKind, RequestDecisionEntry.rejectKind:
            if let decided = try? RequestDecisionEntry(entry) {
                request = state.requestBook.requests[decided.requestId]
                what = "\(decided.act == .approve ? "Approval" : "Rejection") of request \(decided.requestId.prefix(12))"
            }
        case RequestBatchApproval.kind:
            if let batch = try? RequestBatchApproval(entry) {
                what = "Approval of \(batch.requestIds.count) requests: " + batch.requestIds.map { String($0.prefix(12)) }.joined(separator: ", ")
            }
        case GovernanceEntry.proposeKind, GovernanceEntry.approveKind, GovernanceEntry.rejectKind, GovernanceEntry.enrolKind:
            if let governance = try? GovernanceEntry(entry) {
                let (verb, id): (String, String) = switch governance {
                case .propose(let p, _): ("Proposal of \(p.change.consoleName)", p.id)
                case .approve(let id, _, _, _): ("Approval of operation", id)
                case .reject(let id, _, _, _): ("Rejection of operation", id)
                case .enrol(let id, _, _, _): ("Enrolment of a credential for operation", id)
                }
                what = "\(verb) \(id)" + (state.operations[id].map { " (\($0.status.rawValue))" } ?? "")
                approvals = state.operations[id]?.approvals ?? []
            }
        case VaultEntry.signatureKind:
            if case .signature(let vault, _, let id, _)? = try? VaultEntry(payload: entry.payload, kind: entry.kind) {
                request = state.requestBook.requests[id]
                what = "Signature by vault \(vault) for request \(id.prefix(12))"
                signedBy = state.signing[id]?.signers.map(\.rawValue) ?? []
            }
        default:
            break
        }
        if let request {
            approvals = request.approvals?.approvals.map(\.user) ?? []
            vault = request.request.vault
            destination = request.request.destination.isEmpty ? "" : ConsoleRequestItem.destination(request.request, in: state)
        } else {
            vault = ""
            destination = ""
        }
        self.what = what
        self.approvals = approvals
        self.signedBy = signedBy
    }

    /// `allowed`, `denied`, `approved`, `needs approvals`, `rejected`, `expired`.
    static func status(of r: RecordedRequest) -> String {
        switch r.outcome {
        case .allow: "allowed"
        case .deny: "denied"
        case .needsApprovals: r.approvals.map { $0.status == .pending ? "needs approvals" : $0.status.rawValue } ?? "needs approvals"
        }
    }
}
