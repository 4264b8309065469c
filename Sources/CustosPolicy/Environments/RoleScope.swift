/// The environments a role acts in, from the policy's `roles` section:
///
/// ```yaml
/// roles:
///   trader: {environments: [staging, development]}
/// ```
///
/// A role the section does not name acts in every environment. A scoped role outside a vault's
/// environment neither initiates requests from the vault nor makes its holder an approver of them.
public struct RoleScope: Sendable, Hashable {
    public var role: String
    /// Sorted, distinct, not empty.
    public var environments: [DeploymentEnvironment]
    public var location: SourceLocation

    public init(role: String, environments: [DeploymentEnvironment], location: SourceLocation = .start) {
        self.role = role
        self.environments = Array(Set(environments)).sorted()
        self.location = location
    }
}
