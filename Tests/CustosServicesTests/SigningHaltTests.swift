import AsyncHTTPClient
import CustosClusterAPI
import CustosLedger
import CustosNode
@testable import CustosNodeService
import CustosTestSupport
import Foundation
import Logging
import Testing

/// A node that catches the gateway proposing two blocks at one height holds proof the gateway is
/// lying, and stops releasing key material until an operator on its host acts: the proof is on
/// record (durable across a restart), health and `custos node status` say so, votes go on, and
/// `custos node resume --acknowledge-equivocation` lets it sign again.
struct SigningHaltTests {
    @Test func aNodeShownTwoBlocksAtOneHeightHaltsSigningUntilAnOperatorAcknowledges() async throws {
        let scene = try NodeScene()
        defer { try? FileManager.default.removeItem(at: scene.folder) }
        let path = try scene.stores("member")
        let halt = try SigningHalt(database: try NodeDatabase(path: path + "/votes.sqlite"), node: "node-1", logger: Logger(label: "test"))
        let node = try scene.node("member", identity: scene.identities[0], halt: halt)
        let shown = try Block(height: 1, previousHash: scene.configuration.genesisDigest, timestamp: scene.now,
                              entries: [try TestNote.entry("shown")])
        let other = try Block(height: 1, previousHash: scene.configuration.genesisDigest, timestamp: scene.now,
                              entries: [try TestNote.entry("other")])
        #expect(try await node.decide(shown, now: scene.now) != nil)
        #expect(!halt.isHalted)
        #expect(try await node.decide(other, now: scene.now) == nil)

        // The proof is on record: the conflicting block and this node's vote at that height.
        #expect(halt.isHalted)
        let record = try #require(halt.records.first)
        #expect(record.cause == .gatewayEquivocation && record.reason.contains("height 1"), "\(record.reason)")
        let evidence = try JSONDecoder().decode([String: String].self, from: Data(record.evidence))
        #expect(evidence["conflictingBlock"] == Data(other.serialized).base64EncodedString())
        #expect(try Vote(serialized: Array(try #require(Data(base64Encoded: evidence["recordedVote"] ?? "")))).blockHash == shown.hash)
        let health = await node.health()
        #expect(health.status == "signing-halted" && health.signingHalts.map(\.cause) == ["gateway-equivocation"])
        #expect(health.prometheusText.contains("custos_node_signing_halted 1"))

        // Votes go on (liveness): the next height gets this node's vote.
        #expect(try await node.commit(try scene.certified(shown)))
        let next = try Block(height: 2, previousHash: shown.hash, timestamp: scene.now + 1, entries: [try TestNote.entry("next")])
        #expect(try await node.decide(next, now: scene.now + 1) != nil, "a halted node stopped voting")

        // Nothing leaves through the vault service's release point: it holds the envelopes
        // without contacting the relay (nothing listens on its gateway's port).
        let vaults = VaultService(
            identity: scene.identities[0], environment: .development, database: try NodeDatabase(path: path + "/votes.sqlite"),
            gateway: GatewayClient(baseURL: "http://127.0.0.1:9", client: .shared),
            relay: RelayClient(gateway: GatewayClient(baseURL: "http://127.0.0.1:9", client: .shared), identity: scene.identities[0],
                               genesisDigest: scene.configuration.genesisDigest),
            logger: Logger(label: "test"), halt: halt)
        let envelopes: [(recipient: NodeID, envelope: [UInt8])] = [(scene.identities[1].id, [1, 2, 3])]
        #expect(try await vaults.post(envelopes, what: "test") == false)

        // Durable: the node restarted on the same database is still halted.
        let restarted = try SigningHalt(database: try NodeDatabase(path: path + "/votes.sqlite"), node: "node-1", logger: Logger(label: "test"))
        #expect(restarted.isHalted && restarted.records == halt.records)

        // The operator's acknowledgement, on the node's host, from the command line.
        let status = try await CustosExecutable.run(["node", "status", "--data", path])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("\"cause\":\"gateway-equivocation\""), "\(status.stdout.prefix(300))")
        let unsaid = try await CustosExecutable.run(["node", "resume", "--data", path])
        #expect(unsaid.status == 1 && unsaid.stderr.contains("--acknowledge-equivocation"), "\(unsaid.stderr)")
        #expect(try NodeDatabase(path: path + "/votes.sqlite").signingHalts().count == 1)
        let resumed = try await CustosExecutable.run(["node", "resume", "--data", path, "--acknowledge-equivocation"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("height 1"), "\(resumed.stdout)")
        let again = try await CustosExecutable.run(["node", "resume", "--data", path, "--acknowledge-equivocation"])
        #expect(again.status == 1 && again.stderr.contains("nothing to acknowledge"), "\(again.stderr)")

        // The running node reads the records again and releases once more: the post now tries the relay.
        try halt.reload()
        #expect(!halt.isHalted)
        #expect(await node.health().status == "ok")
        await #expect(throws: (any Error).self) { _ = try await vaults.post(envelopes, what: "test") }
    }
}
