/// A way the governance rules would lock the organisation out of an operation it must always be
/// able to carry out (changing the policy, lifting a freeze): no one could get it approved even
/// with every other person approving, or one person could block it alone by rejecting it.
public struct GovernanceLockout: Sendable, Hashable, CustomStringConvertible {
    public let action: GovernanceOperation.Action
    /// Seconds after Monday 00:00 UTC of the first interval of the week in which it happens; nil
    /// when it happens at every time of the week.
    public let weekSecond: Int64?
    /// The one person whose rejection alone would leave the operation unreachable; nil when no
    /// one could get it approved even with every other person approving.
    public let vetoer: String?

    public init(action: GovernanceOperation.Action, weekSecond: Int64?, vetoer: String?) {
        self.action = action
        self.weekSecond = weekSecond
        self.vetoer = vetoer
    }

    /// When it happens, in plain language: "on Sunday 03:00 UTC" or "at any time of the week".
    public var time: String { weekSecond.map { "on \(GovernanceWeek.describe($0))" } ?? "at any time of the week" }

    public var description: String {
        if let vetoer {
            return "\(vetoer) alone could block \(action.rawValue) by rejecting it: no one else could get it approved \(time)"
        }
        return "no one could get \(action.rawValue) approved \(time), even with every other person approving"
    }
}
