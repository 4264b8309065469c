import CustosLedger
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle

/// Builds the gateway's Hummingbird application as `listener` says: plain HTTP on loopback, or
/// HTTPS. `onRunning` receives the bound port (useful with port 0).
public enum GatewayApplication {
    public static func make(
        gateway: Gateway, listener: GatewayListener, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some Service {
        let port = listener.port
        return Application(
            router: GatewayRoutes.router(gateway: gateway, https: listener.tls != nil),
            server: try listener.tls.map { tls in try .tls(.http1(), tlsConfiguration: tls) } ?? .http1(),
            configuration: .init(address: .hostname(listener.host, port: port), serverName: "custos-gateway"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
