import NIOCore

/// Watches one connection for its client hanging up while a long poll is parked: the client's
/// FIN arrives as `ChannelEvent.inputClosed` (the server allows half-closure, so the channel
/// itself stays open and Hummingbird does not cancel the handler), or the channel goes inactive.
/// Installed first in the pipeline for the duration of one long poll, then removed.
final class ClientHangUpHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let onHangUp: @Sendable () -> Void

    init(onHangUp: @escaping @Sendable () -> Void) { self.onHangUp = onHangUp }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { onHangUp() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        onHangUp()
        context.fireChannelInactive()
    }
}
