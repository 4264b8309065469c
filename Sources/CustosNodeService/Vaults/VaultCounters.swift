/// What a node's vault work did since start, for its health endpoint and metrics.
public struct VaultCounters: Codable, Sendable, Equatable {
    public var ceremoniesConfirmed = 0
    public var complaints = 0
    public var noncesPublished = 0
    public var sharesReleased = 0
    public var signaturesSubmitted = 0
    public var blames = 0
    public var signingRefusals = 0
    public var messagesSent = 0
    public var messagesRefused = 0
    public var messagesIgnored = 0

    public init() {}
}
