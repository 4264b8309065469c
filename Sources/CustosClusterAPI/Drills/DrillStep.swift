/// One step of an incident drill's script: who acts, what they do, and what must then hold in
/// the committed state of every (live) signer node for the step to count as done.
public struct DrillStep: Codable, Sendable, Equatable {
    /// Stable within its scenario, e.g. `freeze`.
    public var id: String
    /// Who acts, as the firm would name them (`heidi (security officer)`, `the attacker with the bot's key file`).
    public var actor: String
    public var action: String
    /// What is read from every node's committed state (or refused there) afterwards.
    public var check: String

    public init(id: String, actor: String, action: String, check: String) {
        self.id = id
        self.actor = actor
        self.action = action
        self.check = check
    }
}
