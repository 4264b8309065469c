import AsyncHTTPClient
import CustosClusterAPI
import CustosLedger
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing

/// Relay requests built by hand, to send what a well-behaved `RelayClient` never would: no
/// signature, a stale one, a signature over other bytes than those sent, another node's name.
struct RawRelayRequest {
    let baseURL: String
    let genesisDigest: LedgerHash

    /// Sends `method target` signed by `identity` (none if nil) at `timestamp` over `target` and
    /// `body`, but puts `sendTarget`/`sendBody` on the wire when given; expects `status` and, for
    /// an error, the problem `code`. Returns the answer's headers.
    @discardableResult
    func expect(
        _ status: UInt, _ code: String?, _ method: HTTPMethod, _ target: String, body: [UInt8] = [], as identity: NodeIdentity?,
        at timestamp: UInt64, sendTarget: String? = nil, sendBody: [UInt8]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> HTTPHeaders {
        var request = HTTPClientRequest(url: baseURL + (sendTarget ?? target))
        request.method = method
        if let identity {
            let signature = RelayRequestSignature(method: method.rawValue, target: target, body: body, genesisDigest: genesisDigest,
                                                  identity: identity, timestamp: timestamp)
            for (name, value) in signature.headers { request.headers.add(name: name, value: value) }
        }
        if method == .POST {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: sendBody ?? body))
        }
        // Generous: the gateway shares this process's threads with every other suite running at once.
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let answer = Data(buffer: try await response.body.collect(upTo: 8 << 20))
        #expect(response.status.code == status, "\(method) \(target): \(String(decoding: answer, as: UTF8.self))", sourceLocation: sourceLocation)
        if let code {
            let problem = try? JSONDecoder().decode(Problem.self, from: answer)
            #expect(problem?.code == code, "\(method) \(target): \(String(decoding: answer, as: UTF8.self))", sourceLocation: sourceLocation)
        }
        return response.headers
    }
}
