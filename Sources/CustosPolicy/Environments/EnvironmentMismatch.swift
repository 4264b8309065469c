/// Why a request is denied before any rule is read: its initiator is not of its vault's
/// environment — a bot of another one, or a person none of whose roles acts in it.
public struct EnvironmentMismatch: Sendable, Hashable, Codable {
    public let initiator: String
    public let kind: PolicyDocument.Principal.Kind
    /// Where the initiator acts: a bot's one environment, or the environments a person's roles
    /// act in, sorted.
    public let initiatorEnvironments: [DeploymentEnvironment]
    public let vault: String
    public let vaultEnvironment: DeploymentEnvironment

    public init(
        initiator: String, kind: PolicyDocument.Principal.Kind, initiatorEnvironments: [DeploymentEnvironment], vault: String,
        vaultEnvironment: DeploymentEnvironment
    ) {
        self.initiator = initiator
        self.kind = kind
        self.initiatorEnvironments = initiatorEnvironments
        self.vault = vault
        self.vaultEnvironment = vaultEnvironment
    }

    /// Names both environments, e.g. "bot ci-bot is a staging bot; vault treasury is a
    /// production vault, and environments never mix".
    public var text: String {
        let whereInitiator = initiatorEnvironments.map(\.rawValue).joined(separator: ", ")
        let who = kind == .bot
            ? "bot \(initiator) is a \(whereInitiator) bot"
            : "\(initiator)'s roles act in \(whereInitiator.isEmpty ? "no environment" : whereInitiator) only"
        return "\(who); vault \(vault) is a \(vaultEnvironment.rawValue) vault, and environments never mix"
    }
}
