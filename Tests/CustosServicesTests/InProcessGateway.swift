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
        let application = GatewayApplication.make(gateway: gateway, port: 0, logger: logger) { port in continuation.yield(port) }
        let services: [any Service] = [application, gateway]
        let group = ServiceGroup(services: services, logger: logger)
        let serving = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestEnvironmentError("the gateway did not start") }
        do {
            let result = try await body("http://127.0.0.1:\(port)")
            await group.triggerGracefulShutdown()
            try await serving.value
            return result
        } catch {
            await group.triggerGracefulShutdown()
            try? await serving.value
            throw error
        }
    }
}
