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
    /// who it claims, or no longer may act; nil for a refusal of any other kind (a policy that
    /// says no, an operation already decided), which the log records.
    init?(unauthenticated error: GovernanceError) {
        switch error.code {
        case .unknownUser, .unknownBot, .unknownCredential, .assertionRefused, .requestRefused, .offlineSignatureRefused:
            self.init(.unauthenticated, error.reason)
        case .inactiveUser, .inactiveBot:
            self.init(.forbidden, error.reason)
        default:
            return nil
        }
    }
}
