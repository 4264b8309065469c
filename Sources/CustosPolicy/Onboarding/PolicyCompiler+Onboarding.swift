extension PolicyCompiler {
    /// The `onboarding` section refers to roles someone holds: an attestation nobody could make
    /// is a typo, not a requirement.
    mutating func checkOnboarding() {
        for step in document.onboarding {
            guard let role = step.attestedBy else { continue }
            if parts.roles.lookup(role.value) < 0 {
                error(.unknownReference, role.location,
                      "onboarding step '\(step.name)' is attested by role '\(role.value)' that nobody holds")
            }
        }
    }
}
