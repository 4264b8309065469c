/// A webhook secret or progress file that cannot be used; the reason names the file, never a secret.
public struct WebhookError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
