import CustosLedger

/// Why a vault ceremony failed: a reason every node wrote the same way, the participants the
/// log proves misbehaved (`culprits`: a bad proof, a bad share shown by signed evidence, a
/// confirmation that contradicts the log, a false accusation) and those that stayed silent past
/// the deadline (`silent`: no blame, a node may simply have been down).
public struct VaultFailure: Sendable, Hashable, Codable {
    public let at: UInt64
    public let reason: String
    public let culprits: [NodeID]
    public let silent: [NodeID]
}
