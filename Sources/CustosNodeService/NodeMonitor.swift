import CustosClusterAPI
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A signer node's monitoring endpoint on 127.0.0.1 only: `GET /health` (JSON) and `GET /metrics`
/// (Prometheus text). It reads the node's state and changes nothing; the cluster protocol stays
/// outbound-only.
public enum NodeMonitor {
    public static func make(
        node: LogFollower, vaults: VaultService? = nil, port: Int, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some Service {
        let router = Router()
        router.get("/health") { _, _ in
            let body = try JSONEncoder().encode(await node.health())
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(string: await node.health().prometheusText + (await vaults?.prometheusText() ?? ""))))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "custos-node"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
