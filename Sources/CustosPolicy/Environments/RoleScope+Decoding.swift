extension RoleScope {
    /// Reads the `roles` section: per role, the environments it acts in (at least one).
    static func decode(_ node: YAMLNode, _ r: inout NodeReader) -> [RoleScope] {
        var scopes: [RoleScope] = []
        for entry in r.namedMapping(node, "roles") {
            let what = "role '\(entry.key)'"
            guard let fields = r.mapping(entry.value, what, allowed: ["environments"], required: ["environments"]),
                  let list = fields["environments"]
            else { continue }
            var environments: [DeploymentEnvironment] = []
            for name in r.names(list.value, "environment") {
                if let environment = DeploymentEnvironment(rawValue: name.value) {
                    environments.append(environment)
                } else {
                    r.error(.invalidValue, name.location, "environment '\(name.value.prefix(32))' of \(what) is none of \(DeploymentEnvironment.choices)")
                }
            }
            if environments.isEmpty {
                r.error(.missingField, entry.keyLocation, "\(what) acts in no environment; name at least one")
                continue
            }
            scopes.append(RoleScope(role: entry.key, environments: environments, location: entry.keyLocation))
        }
        return scopes
    }
}
