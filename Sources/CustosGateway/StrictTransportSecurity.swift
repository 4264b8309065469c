import HTTPTypes
import Hummingbird

/// Adds `Strict-Transport-Security` to every answer of a gateway served over HTTPS, so that a
/// browser that reached the console once never falls back to plain HTTP for it (a year, this
/// host only: the gateway knows nothing of its subdomains).
struct StrictTransportSecurity<Context: RequestContext>: RouterMiddleware {
    static var value: String { "max-age=31536000" }

    /// Errors that carry their answer (problems, unrouted paths) get the header too.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do { response = try await next(request, context) } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[HTTPField.Name("Strict-Transport-Security")!] = Self.value
        return response
    }
}
