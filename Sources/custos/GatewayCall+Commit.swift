import AsyncHTTPClient
import CustosClusterAPI
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

extension GatewayCall {
    /// Waits up to `timeout` for entry `digest` (64 hex digits, as `POST /v1/entries`
    /// acknowledged it) to be committed (`GET /v1/entries/{digest}?wait=…`, long polls): where it
    /// committed, or nil if it did not in time. Only says that the gateway reports it committed
    /// in a block; whether every node accepted it is the nodes' to say.
    func committed(_ digest: String, timeout: Duration) async throws -> EntryCommitted? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let request = HTTPClientRequest(url: base + "/v1/entries/\(digest)?wait=5000")
            let response: HTTPClientResponse
            do { response = try await Self.client.execute(request, timeout: .seconds(15)) } catch {
                fail("cannot reach the gateway at \(base): \(error)")
            }
            let body = Data(buffer: try await response.body.collect(upTo: 1 << 20))
            switch response.status.code {
            case 200: return try JSONDecoder().decode(EntryCommitted.self, from: body)
            case 404: continue
            default:
                if let problem = try? JSONDecoder().decode(Problem.self, from: body) {
                    fail("the gateway refused (\(response.status.code) \(problem.code)): \(problem.detail)")
                }
                fail("the gateway answered \(response.status)")
            }
        }
        return nil
    }
}
