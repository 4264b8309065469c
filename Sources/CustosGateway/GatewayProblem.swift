import CustosClusterAPI
import Foundation
import HTTPTypes
import Hummingbird

/// An error that chooses its HTTP status and is shown to the client as a JSON problem with a
/// stable code. Any other error becomes a logged 500 without detail.
public struct GatewayProblem: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let problem: Problem
    /// The content type, and any header the status calls for (`Retry-After`, `Allow`).
    public let headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, title: String, detail: String, headers: HTTPFields = [:]) {
        self.status = status
        problem = Problem(code: code, title: title, detail: detail)
        var all: HTTPFields = [.contentType: "application/problem+json"]
        all.append(contentsOf: headers)
        self.headers = all
    }

    /// A problem with a `Retry-After` header: the same request may succeed after that many seconds.
    public init(_ status: HTTPResponse.Status, code: String, title: String, detail: String, retryAfter: Int) {
        self.init(status, code: code, title: title, detail: detail, headers: [.retryAfter: "\(retryAfter)"])
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONEncoder().encode(problem)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func tooLarge(_ limit: Int) -> GatewayProblem {
        GatewayProblem(.contentTooLarge, code: "request.too-large", title: "Request body too large",
                       detail: "the body exceeds \(limit) bytes")
    }
}
