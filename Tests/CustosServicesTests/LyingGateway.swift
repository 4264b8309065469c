import AsyncHTTPClient
import CustosTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import ServiceLifecycle

/// A gateway that lies, for the tests of what the command line checks: an HTTP server in the
/// test process, on a free 127.0.0.1 port, that forwards every request to a real gateway and
/// serves its answers — except that `alter` may rewrite the body of any answer (given the
/// request's method and path with query). It records every request it forwarded, so a test can
/// show that a refusing command sent nothing.
enum LyingGateway {
    /// Rewrites an answer: method, path (with query) and the real gateway's body in, the body to
    /// serve out.
    typealias Alteration = @Sendable (_ method: String, _ path: String, _ body: Data) throws -> Data

    /// The requests the lying gateway forwarded, as "METHOD path", and the bodies of those that
    /// would change something, in order.
    actor Forwarded {
        private(set) var requests: [String] = []
        private(set) var writtenBodies: [Data] = []
        func append(_ request: String, body: Data) {
            requests.append(request)
            if !request.hasPrefix("GET ") { writtenBodies.append(body) }
        }
        /// Requests that would change something (everything but GET).
        var writes: [String] { requests.filter { !$0.hasPrefix("GET ") } }
    }

    static func with<T>(
        upstream: String, alter: @escaping Alteration, _ body: (_ baseURL: String, _ forwarded: Forwarded) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "lying-gateway")
        logger.logLevel = .warning
        let forwarded = Forwarded()
        let responder = CallbackResponder { (request: Request, _: BasicRequestContext) -> Response in
            let path = request.uri.description
            let method = request.method.rawValue
            let sent = try await request.body.collect(upTo: 4 << 20)
            await forwarded.append("\(method) \(path)", body: Data(buffer: sent))
            var outgoing = HTTPClientRequest(url: upstream + path)
            outgoing.method = HTTPMethod(rawValue: method)
            if let type = request.headers[.contentType] { outgoing.headers.add(name: "Content-Type", value: type) }
            outgoing.body = .bytes(sent)
            let answer = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(30))
            let served = try alter(method, path, Data(buffer: try await answer.body.collect(upTo: 16 << 20)))
            return Response(status: .init(code: Int(answer.status.code)), headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(data: served)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "lying-gateway"),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        return try await InProcessServices.with([application], logger: logger, ports: ports) { port in
            try await body("http://127.0.0.1:\(port)", forwarded)
        }
    }

    /// `alter` applied to the JSON value answered at exactly `GET path` (other answers pass
    /// unchanged): decoded, changed and encoded again.
    static func json(at path: String, _ alter: @escaping @Sendable (inout Any) throws -> Void) -> Alteration {
        answer(to: "GET", path, alter)
    }

    /// `alter` applied to the JSON value answered to exactly `method path`.
    static func answer(to method: String, _ path: String, _ alter: @escaping @Sendable (inout Any) throws -> Void) -> Alteration {
        { requestMethod, requested, body in
            guard requestMethod == method, requested == path else { return body }
            var value = try JSONSerialization.jsonObject(with: body)
            try alter(&value)
            return try JSONSerialization.data(withJSONObject: value)
        }
    }

    /// Every answer as the real gateway gave it.
    static let honest: Alteration = { _, _, body in body }
}
