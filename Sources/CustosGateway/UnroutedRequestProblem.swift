import CustosCore
import Hummingbird

/// Answers a request that no route takes — an unknown path, or a method its path does not take
/// (Hummingbird's router does not tell the two apart) — with problem JSON like every other
/// error, instead of an empty 404.
struct UnroutedRequestProblem<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // The path is the client's: at most 200 characters of it, escaped, reach the answer.
            let path = request.uri.path.printable(limit: 200)
            throw GatewayProblem(.notFound, code: "route.not-found", title: "No such route",
                                 detail: "no route takes \(request.method) \(path); see docs/openapi.yaml")
        }
    }
}
