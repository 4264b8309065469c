import CustosTestSupport
import Logging
import ServiceLifecycle

/// Services run inside the test process for as long as a body runs: started together, the body
/// given the port the first of them reported on `ports`, then shut down gracefully afterwards,
/// also when the body throws.
enum InProcessServices {
    static func with<T>(
        _ services: [any Service], logger: Logger, ports: AsyncStream<Int>, _ body: (_ port: Int) async throws -> T
    ) async throws -> T {
        let group = ServiceGroup(services: services, logger: logger)
        let serving = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port != 0 else {
            await group.triggerGracefulShutdown()
            try? await serving.value
            throw TestEnvironmentError("the in-process server did not start")
        }
        do {
            let result = try await body(port)
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
