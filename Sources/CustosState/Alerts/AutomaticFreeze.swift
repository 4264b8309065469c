/// Why signing froze without a person's freeze: the alert, of a kind the policy's
/// `alerts.freeze_on` names, whose receipt f+1 nodes' own reading of the chain settled
/// (`ReplicatedState.freezeIfThePolicySays`), and the block that froze it.
public struct AutomaticFreeze: Sendable, Hashable, Codable {
    /// The alert's id (`Alert.id`).
    public let alert: UInt64
    public let kind: Alert.Kind
    public let requestId: String
    public let height: UInt64
    /// Block time (milliseconds).
    public let blockTime: UInt64

    public init(alert: UInt64, kind: Alert.Kind, requestId: String, height: UInt64, blockTime: UInt64) {
        self.alert = alert
        self.kind = kind
        self.requestId = requestId
        self.height = height
        self.blockTime = blockTime
    }
}
