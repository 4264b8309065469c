import CustosLedger
import CustosTestSupport
import Foundation
import Testing

/// `custos audit verify` as an auditor runs it on an exported chain file.
@Suite struct AuditCommandTests {
    let cluster = TestCluster(n: 4)

    static func custos(_ arguments: [String]) async throws -> CustosExecutable.Outcome {
        try await CustosExecutable.run(arguments)
    }

    @Test func verifiesAChainAndNamesTheFirstBadHeight() async throws {
        let bytes = ChainExport(configuration: cluster.configuration, blocks: cluster.chain(3)).serialized
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("custos-chain-\(UUID().uuidString).bin")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let ok = try await Self.custos(["audit", "verify", file.path, "--genesis", cluster.configuration.genesisDigest.description])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.hasPrefix("valid: 3 blocks"), "\(ok.stdout)")

        // Another cluster's genesis pinned: refused at height 0.
        let other = TestCluster(n: 4, seed: 2)
        let pinned = try await Self.custos(["audit", "verify", file.path, "--genesis", other.configuration.genesisDigest.description])
        #expect(pinned.status == 1)
        #expect(pinned.stderr.contains("height 0"), "\(pinned.stderr)")

        // One byte flipped near the end: the report names a height, on one line, and exits 1.
        var damaged = bytes
        damaged[damaged.count - 10] ^= 0x01
        try Data(damaged).write(to: file)
        let bad = try await Self.custos(["audit", "verify", file.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("height "), "\(bad.stderr)")
        #expect(bad.stderr.split(separator: "\n").count == 1)
    }
}
