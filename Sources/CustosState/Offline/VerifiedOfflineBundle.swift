import CustosCore
import CustosLedger
import CustosPolicy

/// A bundle `OfflineBundle.verify(trust:)` accepted: what the offline signer signs and what it
/// shows the person at the machine before it does.
public struct VerifiedOfflineBundle: Sendable {
    /// The statement a quorum of members attested, with who attested it.
    public let statement: OfflineAttestation
    public let attesters: [NodeID]
    /// The request as the offline signer decoded it from the certified entry.
    public let request: MessageRequest
    /// Its height in the log and the block time that committed it.
    public let height: UInt64
    public let blockTime: UInt64
    /// The policy decision the offline signer reached itself on what it can see, and its words.
    public let decision: PolicyDecision
    public let explanation: String

    /// What is signed (the attested message, which the offline signer derived itself too).
    public var message: [UInt8] { statement.message }
    public var attempt: UInt32 { statement.attempt }
    /// The online signers' identifiers and nonce commitments, by identifier.
    public var commitments: [OfflineAttestation.Signer] { statement.signers }
}
