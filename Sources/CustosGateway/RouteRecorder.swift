import HTTPTypes
import Hummingbird

/// Stands in for a Hummingbird router and records what a registration adds, so the routes the
/// gateway serves can be listed from the code that registers them (`GatewayRoutes.register`):
/// for answering a wrong method with the methods its path takes, and for holding the routes
/// against docs/openapi.yaml in tests. Its handlers never run.
final class RouteRecorder: RouterMethods, @unchecked Sendable {
    // @unchecked: filled by one registration, on one task, before it is read.
    typealias Context = GatewayRequestContext
    private(set) var methodsAndPaths: [(method: HTTPRequest.Method, path: String)] = []

    /// Every route as `METHOD /path/{parameter}`, in registration order.
    var routes: [String] { methodsAndPaths.map { "\($0.method.rawValue) \($0.path)" } }

    @discardableResult func on<Responder: HTTPResponder>(
        _ path: RouterPath, method: HTTPRequest.Method, responder: Responder
    ) -> Self where Responder.Context == Context {
        methodsAndPaths.append((method, path.description))
        return self
    }

    func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self { self }
}
