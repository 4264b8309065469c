import CustosIdentity
import CustosPolicy

/// What deciding a request reads from the governance room at its block: the policy in force and
/// its version, the freeze flag, the bot and people registries, the relying party people's
/// assertions are checked against, and the vaults (a message request must name an active vault
/// whose scheme signs its format), and the registered assets. A read-only view; the requests room never changes the
/// governance room through it.
struct RequestAuthority {
    let policy: CompiledPolicy
    let policyVersion: Int
    let frozen: Bool
    let bots: [String: GovernedBot]
    let users: [String: GovernedUser]
    let relyingParty: RelyingParty
    let requireUserVerification: Bool
    let vaults: [String: Vault]
    /// The registered assets a transfer or contract call resolves against.
    let assets: [String: RegisteredAsset]

    /// Decides a transfer or call request with the policy in force and the freeze flag, at
    /// `blockTime`: while frozen, everything but governance is denied. The initiating bot's key
    /// age is the policy's to judge (`request.initiator_key_past_grace`). A removed bot or person
    /// initiates nothing: its requests are denied as an unknown initiator's, whatever the rules
    /// match on (a rule on the principal's kind still matches a principal without roles).
    func evaluate(_ request: PolicyRequest, blockTime: UInt64) -> PolicyDecision {
        if bots[request.initiator]?.active == false || users[request.initiator]?.active == false {
            return .denied(.unknownInitiator)
        }
        return policy.evaluate(request, in: snapshot(for: request.initiator, blockTime: blockTime))
    }

    /// What the policy reads at `blockTime` for a request of `initiator`: the time, the freeze
    /// flag and, for a bot, when its key was last set (so its key's rotation status is known).
    func snapshot(for initiator: String, blockTime: UInt64) -> StateSnapshot {
        let rotated = bots[initiator].map { [initiator: Int64($0.keyRotatedAt / 1000)] } ?? [:]
        return StateSnapshot(time: Int64(blockTime / 1000), frozen: frozen, keyRotations: rotated)
    }
}
