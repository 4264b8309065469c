import AsyncHTTPClient
import CustosClusterAPI
import CustosLedger
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

extension BenchCluster {
    /// Creates a vault as any vault is created: erin proposes `custos vault create`, frank and
    /// grace approve, and the four nodes generate its key among themselves. Returns the vault once
    /// it is active (bounded: 120 s for the ceremony).
    func createVault(_ client: HTTPClient, id: String, scheme: String) async throws -> VaultView {
        try await governed(client, operation: "create-\(id)", proposal: [
            "vault", "create", "--operation-id", "create-\(id)", "--scheme", scheme, "--environment", "development",
            "--label", "Benchmark \(scheme)", id,
        ])
        for _ in 0..<1200 {
            let view = try await vault(client, id)
            if view.status == "active" { return view }
            if view.status == "failed" { throw BenchError("vault \(id)'s key ceremony failed: \(view.failure?.reason ?? "")") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("vault \(id) did not become active; see \(root.path)")
    }

    func vault(_ client: HTTPClient, _ id: String) async throws -> VaultView {
        try JSONDecoder().decode(VaultView.self, from: try await get(client, "/v1/vaults/\(id)"))
    }

    /// The certified block at `height`, waiting up to `milliseconds` for it; nil if none is certified by then.
    func certifiedBlock(_ client: HTTPClient, height: UInt64, waitMilliseconds milliseconds: Int64) async throws -> CertifiedBlock? {
        let request = HTTPClientRequest(url: baseURL + "/v1/blocks/\(height)?wait=\(milliseconds)")
        let response = try await client.execute(request, timeout: .milliseconds(milliseconds + 30_000))
        let body = try await response.body.collect(upTo: 64 << 20)
        if response.status == .notFound { return nil }
        guard response.status == .ok else { throw BenchError("GET /v1/blocks/\(height): \(response.status) \(String(buffer: body))") }
        return try JSONDecoder().decode(CertifiedBlockMessage.self, from: Data(buffer: body)).decoded()
    }

    /// The samples of each node's Prometheus metrics, by node and then by sample name (with its
    /// labels, as the text shows it).
    func nodeMetrics(_ client: HTTPClient) async throws -> [String: [String: Double]] {
        var out: [String: [String: Double]] = [:]
        for (id, url) in monitorURLs {
            let response = try await client.execute(HTTPClientRequest(url: url + "/metrics"), timeout: .seconds(30))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            guard response.status == .ok else { throw BenchError("GET \(id)'s /metrics: \(response.status)") }
            var samples: [String: Double] = [:]
            for line in body.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
                samples[String(line[..<space])] = value
            }
            out[id] = samples
        }
        return out
    }
}
