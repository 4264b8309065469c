import CustosCore
import CustosState

extension CustosError where Code == AdmissionErrorCode {
    /// The admission error for an entry `ReplicatedState.signer(of:)` refused: every node would
    /// refuse a block carrying it.
    init(malformed error: GovernanceError) {
        let code: AdmissionErrorCode = switch error.code {
        case .unknownKind: .unknownKind
        case .unsigned: .unsigned
        case .oversize: .oversize
        default: .inadmissible
        }
        self.init(code, error.reason)
    }

    /// The admission error for an entry the committed state refuses because its signer is not
    /// who it claims (a member's signature that does not verify, a member no one registered: an
    /// unauthenticated sender could otherwise fill a member's queue, review helper-143 H1), or no
    /// longer may act; nil for a refusal of any other kind (a policy that says no, an operation
    /// already decided), which the log records.
    init?(unauthenticated error: GovernanceError) {
        switch error.code {
        case .unknownUser, .unknownBot, .unknownCredential, .assertionRefused, .requestRefused, .offlineSignatureRefused,
             .memberSignatureRefused, .unknownMember:
            self.init(.unauthenticated, error.reason)
        case .inactiveUser, .inactiveBot:
            self.init(.forbidden, error.reason)
        default:
            return nil
        }
    }

    /// The admission error for an air-gapped signing entry (`vault.offline.attest`,
    /// `vault.offline.share`) the committed state refuses: a statement or answer that does not
    /// apply now never applies later (the attempt it names only moves on), so a replayed or stale
    /// one is not queued where it could crowd out the real one (review helper-143 H1); nil for
    /// every other kind.
    init?(stale error: GovernanceError, kind: String) {
        guard kind == OfflineAttestation.kind || kind == OfflineShareEntry.kind else { return nil }
        self.init(.inadmissible, "\(kind) refused against the committed state, and it cannot apply later: \(error.reason)")
    }
}
