import CustosCore
import CustosIdentity

extension CustosError where Code == GovernanceErrorCode {
    /// Whether the refused entry is not what its named signer signed: a WebAuthn assertion over
    /// another challenge or whose signature does not verify, a bot's request signature that does
    /// not verify, a node's entry signature that does not verify with its identity key. An honest
    /// gateway verifies every signature before it queues an entry, so in a committed log such an
    /// entry shows content altered after the signer signed it — an altered export, or a gateway
    /// that queued a forgery. Refusals that honest traffic meets (a replayed counter or nonce, a
    /// stale timestamp, a revoked credential or key, an expired operation) are not among them.
    public var showsAlteredEntry: Bool {
        switch code {
        case .assertionRefused: self.webAuthn == .wrongChallenge || self.webAuthn == .badSignature
        case .requestRefused: self.requestSigning == .badSignature
        case .memberSignatureRefused: true
        default: false
        }
    }
}
