import CustosClusterAPI
import CustosLedger
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

/// A gateway that serves one fixed history and nothing else, for the catch-up tests: an HTTP
/// server in the test process, on a free 127.0.0.1 port, answering `GET /v1/blocks/N` with the
/// certified block at N of `blocks` (404 past its end) and every other request with 204 (no
/// proposal). It stands for an attacker who controls what a joining node is fed.
enum HistoryServingGateway {
    static func with<T>(_ blocks: [CertifiedBlock], _ body: (_ baseURL: String) async throws -> T) async throws -> T {
        var logger = Logger(label: "history-gateway")
        logger.logLevel = .warning
        let byHeight = Dictionary(uniqueKeysWithValues: blocks.map { ($0.block.height, $0) })
        let responder = CallbackResponder { (request: Request, _: BasicRequestContext) -> Response in
            let path = request.uri.path
            guard path.hasPrefix("/v1/blocks/") else { return Response(status: .noContent) }
            guard let height = UInt64(path.dropFirst("/v1/blocks/".count)), let certified = byHeight[height] else {
                return Response(status: .notFound)
            }
            let body = try JSONEncoder().encode(CertifiedBlockMessage(certified))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: body)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "history-gateway"),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        return try await InProcessServices.with([application], logger: logger, ports: ports) { port in
            try await body("http://127.0.0.1:\(port)")
        }
    }
}
