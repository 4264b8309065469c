import CustosCore
import CustosIdentity
import CustosLedger

/// The governed state replayed from genesis over a chain `ChainAudit` verifies block by block
/// (`custos audit verify`): every entry of every certified block goes through the transition
/// the nodes ran, so every WebAuthn assertion, bot signature and node signature is verified
/// again, every ceremony entry checked again, and membership changes are followed. A block fails
/// the audit at the first entry its named signer did not sign (`GovernanceError.showsAlteredEntry`),
/// named by height, index, kind and signer: a certificate proves only that a quorum of node keys
/// signed the block, and whoever holds those keys could have re-certified altered content.
/// Other refusals — the nodes' ordinary work — replay as the refusals the nodes recorded.
public struct AuditReplay: Sendable {
    public private(set) var state: ReplicatedState

    /// The first state of the cluster, or nil when the configuration carries no governance
    /// genesis document (only the log can be checked then). Throws when the document decodes but
    /// is refused.
    public init?(configuration: ClusterConfiguration) throws(GovernanceError) {
        guard let document = try? GenesisDocument(encoded: configuration.genesisDocument) else { return nil }
        state = try ReplicatedState(genesis: document, members: configuration.members)
    }

    /// Applies a certified block as `ReplicatedState.apply(_:)` does; returns the voting members
    /// after it when it changed them.
    public mutating func apply(_ block: Block) throws(ChainAudit.Failure) -> [Member]? {
        let before = state.members
        state.enter(block)
        for (index, entry) in block.entries.enumerated() {
            guard case .refused(let error) = state.apply(entry, of: block), error.showsAlteredEntry else { continue }
            let refusal = state.refusals.last
            let signer = refusal?.user.map { " by \($0.printable(limit: 64))" } ?? ""
            let operation = refusal?.operationId.map { " for operation \($0.printable(limit: 128))" } ?? ""
            let check = (error.webAuthn?.rawValue ?? error.requestSigning?.rawValue).map { " (\($0))" } ?? ""
            throw ChainAudit.Failure(
                height: block.height,
                reason: "entry \(index) (\(entry.kind)\(signer)\(operation), digest \(entry.digest)) is not what its signer signed: "
                    + "\(error.code.rawValue)\(check): \(error.reason.printable(limit: 256)) (altered after signing, or a forgery the gateway queued)")
        }
        return state.members == before ? nil : state.members
    }
}
