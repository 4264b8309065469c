/// What the members' own readings made of a deployment (`ReplicatedState.acceptDeploymentCheck`):
/// settled once, by the first f+1 checks that agree.
public enum DeploymentVerdict: String, Sendable, Hashable, Codable {
    /// f+1 members read the expected runtime code and every expected answer at the contract's
    /// address: at least one of them is honest, so the chain holds what was reviewed.
    case verified
    /// f+1 members read other code or another answer: at least one honest node says the chain
    /// does not hold what was reviewed.
    case mismatch
}
