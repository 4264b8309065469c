import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosTestSupport
import Foundation
import NIOHTTP1
import NIOCore
import NIOFoundationCompat
import Testing

/// Two gateways sharing one PostgreSQL store (one sequencer at a time: every sequencer write is
/// compare-and-swap), four nodes each given both (`--gateway A --gateway B`): entries commit
/// through the first; it is SIGKILLed; the nodes move on to the second and the cluster keeps
/// committing, with no committed entry lost and one chain everywhere. The time from the kill to
/// the first entry committed on every node after it is printed (no assertion on it).
///
/// Part of the serialized `ClusterLoopbackTests` suite (tests that spawn long-running processes
/// must not run beside each other).
extension ClusterLoopbackTests {
    @Test func nodesFailOverToASecondGatewaySharingPostgreSQL() async throws {
        try await SharedDatabase.with(.postgres) { shared in
            let cluster = try await LocalCluster(nodeCount: 4)
            var passed = false
            defer { cluster.stopAll(removeData: passed) }
            try await cluster.startGateway(database: shared.url)
            let second = try await cluster.startOtherGateway("gateway-b", database: shared.url)
            // Both gateways: the first, then the second (`--gateway` repeated).
            for id in cluster.nodeIDs { try cluster.startNode(id, extraArguments: ["--gateway", second]) }

            let before = try (1...3).map { try TestNote.key("before-\($0)") }
            for i in 1...3 { #expect(try await cluster.submitNote("before-\(i)").status == .accepted) }
            let committed = try await cluster.waitUntil(cluster.nodeIDs) { s in
                s.values.allSatisfy { status in before.allSatisfy { status.entryHeights[$0] != nil } }
            }
            let heightBefore = try #require(committed["node-1"]).height

            // SIGKILL the gateway every node talks to; submit the next entries to the other one.
            let killed = ContinuousClock.now
            cluster.killGateway(signal: SIGKILL)
            let after = try (1...3).map { try TestNote.key("after-\($0)") }
            for i in 1...3 {
                let receipt = try await cluster.send(try Self.noteRequest("after-\(i)", to: second))
                #expect(receipt.status == .accepted, "gateway-b refused an entry: \(receipt.status)")
            }
            let statuses = try await cluster.waitUntil(cluster.nodeIDs) { s in
                s.values.allSatisfy { status in after.allSatisfy { status.entryHeights[$0] != nil } }
            }
            let failover = ContinuousClock.now - killed
            print("gateway failover: \(failover.wholeMilliseconds) ms "
                  + "from SIGKILL of the first gateway to the first entries committed on all four nodes through the second")

            let reference = try #require(statuses["node-1"])
            #expect(reference.height > heightBefore)
            for id in cluster.nodeIDs {
                #expect(statuses[id]?.chain == reference.chain, "\(id) holds another chain")
                for key in before + after { #expect(statuses[id]?.entryHeights[key] == reference.entryHeights[key], "\(id): \(key)") }
                #expect(cluster.log(id).contains("moving on to the next"), "\(id) never moved on to the second gateway")
            }
            // The second gateway serves every committed block from the shared store.
            for height in 1...reference.height {
                let r = try await cluster.send(HTTPClientRequest(url: "\(second)/v1/blocks/\(height)"))
                #expect(r.status == .ok, "block \(height) missing from the shared store")
            }
            passed = true
        }
    }

    /// `POST /v1/entries` of the test note `note` to the gateway at `base`.
    static func noteRequest(_ note: String, to base: String) throws -> HTTPClientRequest {
        let entry = try TestNote.entry(note)
        var request = HTTPClientRequest(url: "\(base)/v1/entries")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(
            EntrySubmission(kind: entry.kind, payload: entry.payload, authorization: entry.authorization))))
        return request
    }
}
