import CustosCore
import HTTPTypes
import Hummingbird

/// Answers a request that no route takes with problem JSON like every other error, instead of an
/// empty 404: a path no route has is 404 `route.not-found`; a path that some route has, asked
/// with a method none of them takes, is 405 `route.method-not-allowed` with `Allow` naming the
/// methods it takes (Hummingbird's router answers both as 404).
struct UnroutedRequestProblem<Context: RequestContext>: RouterMiddleware {
    /// Path templates (`/v1/operations/{id}`) split into segments, with the methods each takes.
    private let templates: [(segments: [Substring], methods: [HTTPRequest.Method])]

    /// `routes` are the gateway's routes as registered (`RouteRecorder.methodsAndPaths`).
    init(routes: [(method: HTTPRequest.Method, path: String)]) {
        var byPath: [String: [HTTPRequest.Method]] = [:]
        var order: [String] = []
        for route in routes {
            if byPath[route.path] == nil { order.append(route.path) }
            byPath[route.path, default: []].append(route.method)
        }
        templates = order.map { (Self.segments($0), byPath[$0]!) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // The path is the client's: at most 200 characters of it, escaped, reach the answer.
            let path = request.uri.path.printable(limit: 200)
            let allowed = methods(taking: request.uri.path)
            guard allowed.isEmpty else {
                let allow = allowed.map(\.rawValue).joined(separator: ", ")
                throw GatewayProblem(.methodNotAllowed, code: "route.method-not-allowed", title: "Method not allowed",
                                     detail: "\(path) takes \(allow), not \(request.method); see docs/openapi.yaml",
                                     headers: [.allow: allow])
            }
            throw GatewayProblem(.notFound, code: "route.not-found", title: "No such route",
                                 detail: "no route takes \(request.method) \(path); see docs/openapi.yaml")
        }
    }

    /// The methods of every template `path` matches, in registration order; a `{parameter}`
    /// segment matches any one non-empty segment.
    private func methods(taking path: String) -> [HTTPRequest.Method] {
        let segments = Self.segments(path)
        var found: [HTTPRequest.Method] = []
        for template in templates where template.segments.count == segments.count {
            let matches = zip(template.segments, segments).allSatisfy { pattern, segment in
                pattern.first == "{" ? !segment.isEmpty : pattern == segment
            }
            if matches { found += template.methods.filter { !found.contains($0) } }
        }
        return found
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { $0 }
    }
}
