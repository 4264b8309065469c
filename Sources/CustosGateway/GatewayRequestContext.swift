import Hummingbird
import NIOCore

/// The gateway's request context: Hummingbird's basics plus the connection, so that a request
/// parked in a long poll is released when its client goes away.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
