import CustosGateway
import CustosTestSupport
import Foundation
import Logging
import ServiceLifecycle

/// A gateway served over HTTP inside the test process, on a free 127.0.0.1 port, for as long as
/// `with`'s body runs (shut down gracefully afterwards, also when the body throws).
enum InProcessGateway {
    static func with<T>(_ gateway: Gateway, _ body: (_ baseURL: String) async throws -> T) async throws -> T {
        let logger = Logger(label: "test")
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = try GatewayApplication.make(gateway: gateway, listener: .loopback(port: 0), logger: logger) { port in continuation.yield(port) }
        return try await InProcessServices.with([application, gateway], logger: logger, ports: ports) { port in
            try await body("http://127.0.0.1:\(port)")
        }
    }
}
