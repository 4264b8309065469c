import CustosCrypto
import CustosLedger

/// What a node makes of one envelope from its relay inbox.
public enum RelayDelivery: Sendable {
    /// Opened: addressed to this node, signed by `sender` (a current member), for a session the
    /// committed log started. The evidence can be shown to third parties (blame).
    case delivered(sender: Member, evidence: SignedEnvelope.Evidence)
    /// Refused: altered, not signed by its sender, not for this node, or inconsistent with what
    /// the relay says about it. `sender` is the member the header names (or, when the header
    /// names none, the one the relay says posted it); nil if neither is a current member.
    case refused(sender: NodeID?, reason: String)
    /// Authentic, but for a session this node's committed log did not start: dropped, counted.
    case ignored(sender: Member, sessionID: [UInt8])
}
