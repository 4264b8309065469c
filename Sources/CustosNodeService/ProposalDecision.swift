/// What a node does about a proposal once it has checked it (`LogFollower.decide`).
enum ProposalDecision {
    /// Send these vote bytes (recorded durably already).
    case vote([UInt8])
    /// Give the round up: this node will never vote for its proposal (or gave it up already,
    /// and sends its round change again).
    case giveUp
    /// Nothing now: a refusal that may pass (behind, clock skew, not a member).
    case wait
}
