import CustosPolicy

extension ReplicatedState {
    /// The roles the policy in force makes security officers (`governance.freeze.roles`): their
    /// holders freeze alone, cancel during a time-lock and cancel a cooling-off entry.
    public var freezeRoles: [String] { (document.governance?.freezeRoles ?? []).map(\.value) }

    /// Whether `user` is an active, onboarded person holding one of `freezeRoles`.
    public func isSecurityOfficer(_ user: String) -> Bool {
        guard let person = users[user], person.active, onboardingGap(of: user) == nil else { return false }
        let officers = freezeRoles
        return person.roles.contains(where: officers.contains)
    }
}
