import CustosClusterAPI
import Foundation
import HTTPTypes
import Hummingbird

/// An error that chooses its HTTP status and is shown to the client as a JSON problem with a
/// stable code. Any other error becomes a logged 500 without detail.
public struct GatewayProblem: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let problem: Problem
    /// Seconds after which the same request may succeed (a `Retry-After` header), if known.
    public let retryAfter: Int?

    public init(_ status: HTTPResponse.Status, code: String, title: String, detail: String, retryAfter: Int? = nil) {
        self.status = status
        problem = Problem(code: code, title: title, detail: detail)
        self.retryAfter = retryAfter
    }

    public var headers: HTTPFields {
        var fields: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfter { fields[.retryAfter] = "\(retryAfter)" }
        return fields
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
