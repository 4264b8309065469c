extension PolicyDocument.Principal {
    /// A principal built by code rather than read from YAML: the governed user registry supplies
    /// the people of a running cluster's policy. `location` defaults to the document's start.
    public init(
        id: String, kind: Kind, roles: [String], environment: DeploymentEnvironment? = nil, missingOnboarding: [String] = [],
        location: SourceLocation = .start
    ) {
        self.init(
            id: id, kind: kind, roles: roles.map { Spanned($0, at: location) }, location: location, environment: environment,
            missingOnboarding: missingOnboarding)
    }
}
