import CustosLedger
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Builds the gateway's Hummingbird application, bound to 127.0.0.1 only. `onRunning` receives
/// the bound port (useful with port 0).
public enum GatewayApplication {
    public static func make(
        gateway: Gateway, port: Int, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some Service {
        Application(
            router: GatewayRoutes.router(gateway: gateway),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "custos-gateway"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
