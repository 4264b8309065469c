import CustosState

/// Why signing froze without a person's freeze, as the API and `custos node status` show it:
/// the alert (`GET /v1/alerts`) the policy's `alerts.freeze_on` freezes on, once f+1 nodes'
/// own reading of the chain settled its receipt.
public struct AutomaticFreezeView: Codable, Sendable, Equatable {
    public var alert: UInt64
    /// `receipt-mismatch`, `mined-reverted` or `receipt-disputed`.
    public var kind: String
    public var request: String
    public var height: UInt64
    /// Block time (milliseconds).
    public var blockTime: UInt64

    public init(_ f: AutomaticFreeze) {
        alert = f.alert
        kind = f.kind.rawValue
        request = f.requestId
        height = f.height
        blockTime = f.blockTime
    }
}
