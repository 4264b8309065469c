import CustosPolicy

/// What every node would decide for a request that was not submitted (`ReplicatedState.dryRun`):
/// the policy's view of it, as every node derives it from the body, and the decision at
/// `blockTime` under the policy in force.
public struct RequestDryRun: Sendable {
    public var request: PolicyRequest
    public var initiatorKind: PolicyDocument.Principal.Kind
    /// The block time it was decided at, milliseconds since the Unix epoch.
    public var blockTime: UInt64
    public var policyVersion: Int
    public var decision: PolicyDecision
}
