import AsyncHTTPClient
import CustosClusterAPI
import CustosLedger
import CustosNodeService
import CustosTestSupport
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing

/// The gateway served over HTTPS (`--tls-certificate`, `--tls-key`), as a firm runs it beyond
/// one host: four nodes and the CLI reach it through a private CA (`CUSTOS_GATEWAY_CA`) and
/// entries commit on every node; a client that trusts another CA, or speaks plain HTTP, gets
/// nothing; the console's pages carry their security headers over HTTPS. And the gateway refuses
/// to start on plain HTTP beyond loopback, with half a TLS pair, or with a key that is not its
/// certificate's.
// Half a turn: alone, its turn kept the CPU 23 % busy (make test, 2026-12-08).
@Suite(.halfExclusiveProcesses, .serialized, .timeLimit(.minutes(5)))
struct GatewayTLSTests {
    static func certificates(_ cluster: LocalCluster) async throws -> URL {
        let folder = cluster.root.appendingPathComponent("tls")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try await PostgresTLSTests.makeCertificates(in: folder)
        return folder
    }

    @Test func nodesAndTheCLIReachAGatewayOverHTTPSThroughThePrivateCAAndNothingElseDoes() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        let tls = try await Self.certificates(cluster)
        try await cluster.startGateway(tls: (tls.appendingPathComponent("server.crt"), tls.appendingPathComponent("server.key"),
                                            tls.appendingPathComponent("ca.crt")))
        #expect(cluster.baseURL.hasPrefix("https://127.0.0.1:"))
        for id in cluster.nodeIDs { try cluster.startNode(id) }

        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: try GatewayTrust.configuration(
            environment: [GatewayTrust.variable: tls.appendingPathComponent("ca.crt").path]))
        do {
            // Entries posted over HTTPS commit on all four nodes, which follow the log over HTTPS.
            var request = HTTPClientRequest(url: cluster.baseURL + "/v1/entries")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            let entry = try TestNote.entry("over-tls")
            request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(
                EntrySubmission(kind: entry.kind, payload: entry.payload, authorization: entry.authorization))))
            #expect(try await client.execute(request, timeout: .seconds(10)).status == .accepted)
            let key = try TestNote.key("over-tls")
            _ = try await cluster.waitUntil(cluster.nodeIDs) { s in s.values.allSatisfy { $0.entryHeights[key] != nil } }

            // The console over HTTPS, with its security headers.
            let page = try await client.execute(HTTPClientRequest(url: cluster.baseURL + "/console/sign-in"), timeout: .seconds(10))
            #expect(page.status == .ok)
            #expect(page.headers["Content-Security-Policy"].first?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers["Referrer-Policy"].first == "no-referrer")
            #expect(page.headers["Strict-Transport-Security"].first == "max-age=31536000")
            let problem = try await client.execute(HTTPClientRequest(url: cluster.baseURL + "/v1/no-such-path"), timeout: .seconds(10))
            #expect(problem.status == .notFound && problem.headers["Strict-Transport-Security"].first == "max-age=31536000")
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()

        // The CLI trusts the private CA through CUSTOS_GATEWAY_CA, and only it.
        let list = try await LocalCluster.run(cluster.binary, ["op", "list", "--gateway", cluster.baseURL, "--json"],
                                              environment: cluster.childEnvironment)
        #expect(list.hasPrefix("["), "\(list)")
        var other = cluster.childEnvironment ?? [:]
        other[GatewayTrust.variable] = tls.appendingPathComponent("other-ca.crt").path
        let refused = await #expect(throws: TestEnvironmentError.self) {
            _ = try await LocalCluster.run(cluster.binary, ["op", "list", "--gateway", cluster.baseURL], environment: other)
        }
        #expect("\(refused.map { "\($0)" } ?? "")".contains("cannot reach the gateway"), "\(String(describing: refused))")
        var unreadable = other
        unreadable[GatewayTrust.variable] = tls.appendingPathComponent("missing.crt").path
        let misconfigured = await #expect(throws: TestEnvironmentError.self) {
            _ = try await LocalCluster.run(cluster.binary, ["op", "list", "--gateway", cluster.baseURL], environment: unreadable)
        }
        #expect("\(misconfigured.map { "\($0)" } ?? "")".contains("CUSTOS_GATEWAY_CA"), "\(String(describing: misconfigured))")
        // Plain HTTP to the HTTPS port gets no answer.
        let plain = cluster.baseURL.replacingOccurrences(of: "https://", with: "http://")
        let answer = try? await HTTPClient.shared.execute(HTTPClientRequest(url: plain + "/health"), timeout: .seconds(5))
        #expect(answer?.status != .ok)
        passed = true
    }

    @Test func theGatewayRefusesPlainHTTPBeyondLoopbackHalfAPairAndAKeyThatIsNotItsCertificates() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        defer { cluster.stopAll() }
        let tls = try await Self.certificates(cluster)
        let base = ["gateway", "--data", cluster.gatewayData.path, "--cluster", cluster.clusterFile.path, "--port", "0"]
        let cases: [([String], String)] = [
            (["--host", "0.0.0.0"], "plain HTTP only on 127.0.0.1"),
            (["--host", "127.0.0.1", "--tls-certificate", tls.appendingPathComponent("server.crt").path], "needs both --tls-certificate and --tls-key"),
            (["--tls-certificate", tls.appendingPathComponent("server.crt").path, "--tls-key", tls.appendingPathComponent("other-ca.key").path],
             "does not belong to the certificate"),
            (["--tls-certificate", tls.appendingPathComponent("server.key").path, "--tls-key", tls.appendingPathComponent("server.key").path],
             "holds no"),
        ]
        for (arguments, reason) in cases {
            let refused = await #expect(throws: TestEnvironmentError.self) { _ = try await LocalCluster.run(cluster.binary, base + arguments) }
            let text = refused.map { "\($0)" } ?? ""
            #expect(text.contains(reason), "\(arguments): \(text)")
            #expect(!text.contains("PRIVATE KEY"), "no key material in the error")
        }
    }
}
