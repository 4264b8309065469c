import AsyncHTTPClient
import BigInt
import CustosChains
import CustosCore
import CustosCrypto
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// An Ethereum JSON-RPC client over HTTP (async-http-client).
///
/// Every attempt has a deadline covering the whole exchange (connect, send, receive the
/// body). Transport failures, timeouts, HTTP 429 and 5xx are retried a bounded number of
/// times with a growing pause; JSON-RPC error objects are not retried (they are the node's
/// answer). Errors name the endpoint (scheme, host and port only: API keys often live in
/// the path or query, so those are never shown) and the method.
///
/// The client never signs and holds no secret; it moves bytes built and signed elsewhere.
public struct EVMRPCClient: Sendable, CustomStringConvertible, CustomReflectable {
    public struct Configuration: Sendable {
        /// Deadline for one attempt.
        public var timeout: Duration
        /// Attempts per call, including the first (at least 1).
        public var maxAttempts: Int
        /// Pause before the second attempt; doubled before each further one.
        public var retryDelay: Duration
        /// Largest response body accepted.
        public var maxResponseBytes: Int

        public init(timeout: Duration = .seconds(10), maxAttempts: Int = 3, retryDelay: Duration = .milliseconds(200),
                    maxResponseBytes: Int = 16 << 20) {
            self.timeout = timeout
            self.maxAttempts = max(1, maxAttempts)
            self.retryDelay = retryDelay
            self.maxResponseBytes = maxResponseBytes
        }
    }

    /// The full URL, which may carry an API key: never printed (see `redactedEndpoint`).
    private let endpoint: URL
    public let configuration: Configuration
    private let httpClient: HTTPClient

    /// The endpoint as errors show it: scheme://host:port, nothing else.
    public let redactedEndpoint: String

    public init(endpoint: URL, configuration: Configuration = .init(), httpClient: HTTPClient = .shared) throws(EVMRPCError) {
        guard let scheme = endpoint.scheme?.lowercased(), scheme == "http" || scheme == "https", let host = endpoint.host else {
            throw EVMRPCError(.invalidEndpoint, endpoint: "(unparseable URL)", method: "-",
                              reason: "endpoint must be an http or https URL with a host")
        }
        self.endpoint = endpoint
        self.configuration = configuration
        self.httpClient = httpClient
        self.redactedEndpoint = "\(scheme)://\(host)" + (endpoint.port.map { ":\($0)" } ?? "")
    }

    public var description: String { "EVMRPCClient(\(redactedEndpoint))" }
    /// Reflection (`dump`, debug printing) shows the redacted endpoint only.
    public var customMirror: Mirror { Mirror(self, children: ["endpoint": redactedEndpoint]) }

    // MARK: Raw calls

    private struct Request: Encodable {
        let jsonrpc = "2.0"
        let id: UInt32
        let method: String
        let params: [JSONValue]
    }

    private struct Response: Decodable {
        struct ErrorObject: Decodable {
            let code: Int
            let message: String
            /// Geth and others put a reverted call's revert data here as `0x` hex.
            let data: JSONValue?
        }
        let jsonrpc: String
        let id: JSONValue?
        let result: JSONValue?
        let error: ErrorObject?
    }

    /// Calls `method` and returns its result (`.null` when the node answered null).
    public func call(_ method: String, _ params: [JSONValue]) async throws(EVMRPCError) -> JSONValue {
        var lastError: EVMRPCError? = nil
        var delay = configuration.retryDelay
        for attempt in 1...configuration.maxAttempts {
            if attempt > 1 {
                try? await Task.sleep(for: delay)
                delay *= 2
            }
            do {
                return try await attemptCall(method, params)
            } catch let failure as Retryable {
                lastError = EVMRPCError(failure.error.code, endpoint: redactedEndpoint, method: method,
                                        reason: failure.error.reason, attempts: attempt)
            } catch let error as EVMRPCError {
                throw EVMRPCError(error.code, endpoint: error.endpoint, method: error.method, reason: error.reason,
                                  rpcCode: error.rpcCode, rpcData: error.context.rpcData, attempts: attempt)
            } catch {
                throw EVMRPCError(.transport, endpoint: redactedEndpoint, method: method,
                                  reason: String(describing: error), attempts: attempt)
            }
        }
        throw lastError!
    }

    /// A failure worth another attempt.
    private struct Retryable: Error { let error: EVMRPCError }

    private func attemptCall(_ method: String, _ params: [JSONValue]) async throws -> JSONValue {
        let id = UInt32.random(in: 1...UInt32.max)
        let body = try JSONEncoder().encode(Request(id: id, method: method, params: params))
        var request = HTTPClientRequest(url: endpoint.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(data: body))

        let prepared = request
        let timeout = configuration.timeout
        let limit = configuration.maxResponseBytes
        let client = httpClient
        let fail = { (code: EVMRPCError.Code, reason: String) in
            EVMRPCError(code, endpoint: redactedEndpoint, method: method, reason: reason)
        }
        let outcome: (status: UInt, body: ByteBuffer)
        do {
            outcome = try await withThrowingTaskGroup(of: (UInt, ByteBuffer)?.self) { group in
                group.addTask {
                    let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
                    let response = try await client.execute(prepared, timeout: .nanoseconds(nanoseconds))
                    let body = try await response.body.collect(upTo: limit)
                    return (response.status.code, body)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let result = first else {
                    throw Retryable(error: fail(.timeout, "no complete answer within \(timeout)"))
                }
                return result
            }
        } catch let error as Retryable {
            throw error
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .connectTimeout {
            throw Retryable(error: fail(.timeout, "no complete answer within \(timeout)"))
        } catch let error as NIOTooManyBytesError {
            throw fail(.invalidResponse, "response larger than \(limit) bytes (\(error))")
        } catch {
            throw Retryable(error: fail(.transport, String(describing: error)))
        }

        guard (200..<300).contains(outcome.status) else {
            let failure = fail(.httpStatus, "HTTP status \(outcome.status)")
            if outcome.status == 429 || outcome.status >= 500 { throw Retryable(error: failure) }
            throw failure
        }
        let response: Response
        do {
            response = try JSONDecoder().decode(Response.self, from: Data(buffer: outcome.body))
        } catch {
            throw fail(.invalidResponse, "not a JSON-RPC response")
        }
        guard response.jsonrpc == "2.0", response.id == .integer(Int64(id)) else {
            throw fail(.invalidResponse, "JSON-RPC version or id does not match the request")
        }
        if let error = response.error {
            var revertData: [UInt8]? = nil
            if case .string(let text)? = error.data, text.hasPrefix("0x") { revertData = try? [UInt8](hex: text) }
            throw EVMRPCError(.rpcError, endpoint: redactedEndpoint, method: method,
                              reason: "node error \(error.code): \(error.message)", rpcCode: error.code, rpcData: revertData)
        }
        return response.result ?? .null
    }
}
