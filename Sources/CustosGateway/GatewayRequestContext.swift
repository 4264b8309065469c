import Hummingbird
import NIOCore

/// What the gateway's routes need of a request context: Hummingbird's basics, and the
/// connection when there is one, so that a request parked in a long poll is released when its
/// client goes away.
public protocol GatewayContext: RequestContext {
    var channel: (any Channel)? { get }
}

/// The gateway's request context when serving.
public struct GatewayRequestContext: GatewayContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
