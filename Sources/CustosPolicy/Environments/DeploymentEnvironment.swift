/// Where a key, a bot, a role or a chain endpoint is used. Environments never mix: a request
/// reaches a vault only from an initiator of the vault's environment, and only approvals of
/// people whose roles act in it count (`CompiledPolicy.evaluate`).
public enum DeploymentEnvironment: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case production
    case staging
    case development

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The environment of a bot registered without one (before bots carried one, or by a
    /// document that names none): development, the one that reaches no production or staging
    /// vault.
    public static let unnamedBot = DeploymentEnvironment.development

    /// "production, staging or development", for messages.
    public static var choices: String {
        allCases.dropLast().map(\.rawValue).joined(separator: ", ") + " or " + allCases.last!.rawValue
    }
}
