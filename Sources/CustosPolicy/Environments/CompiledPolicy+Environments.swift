extension CompiledPolicy {
    /// Each group's members who act in `environment` (all of them for nil, or for a document
    /// that scopes no role), indexed like `groupMembers`.
    func groupMembers(in environment: DeploymentEnvironment?) -> [BitSet] {
        environment.flatMap { environmentGroupMembers[$0] } ?? groupMembers
    }

    /// The people of group `name` who approve requests of a vault of `environment`: those whose
    /// membership comes from a role acting there, or who are named and act there.
    public func members(ofGroup name: String, in environment: DeploymentEnvironment?) -> [String] {
        let g = groupNames.lookup(name)
        guard g >= 0 else { return [] }
        return groupMembers(in: environment)[g].members.map { users.names[$0] }
    }

    /// The roles of principal `index` that act in `environment` (all of them for nil).
    func actingRoles(of index: Int, in environment: DeploymentEnvironment?) -> BitSet {
        let roles = principals[index].roles
        guard let environment, let acting = environmentRoles[environment] else { return roles }
        return roles.intersection(acting)
    }

    /// Where principal `index` acts: a bot in its one environment; a person in each where one of
    /// their roles acts. Under a policy that scopes roles, a person without roles acts nowhere
    /// (taking someone's last role never widens their reach, review helper-107 H1); under one
    /// that scopes none, everywhere.
    func environments(of index: Int) -> [DeploymentEnvironment] {
        let p = principals[index]
        if let environment = p.environment { return [environment] }
        if environmentRoles.isEmpty { return DeploymentEnvironment.allCases }
        return DeploymentEnvironment.allCases.filter { !actingRoles(of: index, in: $0).isEmpty }
    }

    /// Whether `id` (a person or bot of this policy) acts in `environment`.
    public func acts(_ id: String, in environment: DeploymentEnvironment) -> Bool {
        let u = users.lookup(id)
        return u >= 0 && environments(of: u).contains(environment)
    }

    /// The environments person or bot `id` acts in; empty for an unknown one.
    public func environments(of id: String) -> [DeploymentEnvironment] {
        let u = users.lookup(id)
        return u >= 0 ? environments(of: u) : []
    }

    /// Why the request's initiator may not reach its vault: the vault's environment (known from
    /// the state) is not one the initiator acts in.
    func environmentMismatch(_ c: EvaluationContext) -> EnvironmentMismatch? {
        guard let environment = c.environment, c.initiator >= 0 else { return nil }
        let acting = environments(of: c.initiator)
        guard !acting.contains(environment) else { return nil }
        return EnvironmentMismatch(
            initiator: c.request.initiator, kind: principals[c.initiator].kind, initiatorEnvironments: acting,
            vault: c.request.vault, vaultEnvironment: environment)
    }
}
