import CustosCore
extension GovernanceProposal {
    /// Refuses an id that is not `isValidId`: `malformed`, whatever the state.
    func checkId() throws(GovernanceError) {
        guard Self.isValidId(id) else {
            throw GovernanceError(.malformed, "an operation id is 1 to \(Self.maximumIdLength) of A-Z a-z 0-9 . _ -")
        }
    }

    /// Refuses a lifetime outside 1...`maximumLifetimeSeconds`: `malformed`, whatever the state.
    func checkLifetime() throws(GovernanceError) {
        guard (1...Self.maximumLifetimeSeconds).contains(lifetimeSeconds) else {
            throw GovernanceError(.malformed, "lifetime of \(lifetimeSeconds) s is outside 1...\(Self.maximumLifetimeSeconds)")
        }
    }
}
