import CustosLedger
import CustosTestSupport
import Foundation
import Testing

/// An auditor handed a long-range fork, as the attacker would make it: the genesis members' keys
/// (retired since, and leaked) certify an alternative history from genesis. Every certificate in
/// it verifies, so only what the auditor trusts from the present — a block hash at a height
/// (`--trust-height/--trust-hash`) or the head (`--head`) — can refuse it; the failure names the
/// height. The honest chain passes the same pins.
@Suite struct TrustAnchorAuditTests {
    let cluster = TestCluster(n: 4)

    static func audit(_ blocks: [CertifiedBlock], in cluster: TestCluster, trusted: TrustAnchor? = nil,
                      head: LedgerHash? = nil) -> ChainAudit.Result {
        ChainAudit.verify(serialized: ChainExport(configuration: cluster.configuration, blocks: blocks).serialized,
                          trusted: trusted, expectedHead: head) { _ throws(ChainAudit.Failure) in nil }
    }

    @Test func aForkCertifiedByTheGenesisKeysIsRefusedAtTheTrustedHeight() throws {
        let honest = cluster.chain(6, tag: "honest")
        let fork = cluster.chain(6, tag: "fork")
        let anchor = try TrustAnchor(height: 4, hash: honest[3].block.hash)

        guard case .valid = Self.audit(fork, in: cluster) else { Issue.record("the fork should verify without an anchor"); return }
        guard case let .invalid(failure) = Self.audit(fork, in: cluster, trusted: anchor) else {
            Issue.record("the fork passed the trust anchor"); return
        }
        #expect(failure.height == 4, "\(failure)")
        #expect(failure.description.contains("height 4"), "\(failure)")
        #expect(Self.audit(honest, in: cluster, trusted: anchor)
            == .valid(genesisDigest: cluster.configuration.genesisDigest, head: ChainHead(honest[5].block)))

        // A chain that stops below the anchor cannot be vouched for.
        guard case let .invalid(short) = Self.audit(Array(honest.prefix(3)), in: cluster, trusted: anchor) else {
            Issue.record("a chain ending below the anchor passed"); return
        }
        #expect(short.height == 4, "\(short)")
    }

    @Test func aForkIsRefusedAtItsHeadByTheExpectedHead() {
        let honest = cluster.chain(3, tag: "honest")
        let fork = cluster.chain(3, tag: "fork")
        let head = honest[2].block.hash
        guard case let .invalid(failure) = Self.audit(fork, in: cluster, head: head) else {
            Issue.record("the fork passed the expected head"); return
        }
        #expect(failure.height == 3 && failure.reason.contains(head.hex), "\(failure)")
        guard case .valid = Self.audit(honest, in: cluster, head: head) else { Issue.record("the honest chain was refused"); return }
        // The honest chain cut short (an attacker hiding recent blocks) is refused too.
        guard case .invalid = Self.audit(Array(honest.prefix(2)), in: cluster, head: head) else {
            Issue.record("a truncated chain passed the expected head"); return
        }
    }

    /// The command line as an auditor runs it: the fork exits 1 naming the height; the honest
    /// chain exits 0 with the same pins.
    @Test func auditVerifyRefusesTheForkWithTheTrustAnchorAndHead() async throws {
        let honest = cluster.chain(5, tag: "honest")
        let fork = cluster.chain(5, tag: "fork")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-anchor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let honestFile = folder.appendingPathComponent("honest.bin")
        let forkFile = folder.appendingPathComponent("fork.bin")
        try Data(ChainExport(configuration: cluster.configuration, blocks: honest).serialized).write(to: honestFile)
        try Data(ChainExport(configuration: cluster.configuration, blocks: fork).serialized).write(to: forkFile)
        let pins = ["--genesis", cluster.configuration.genesisDigest.hex, "--trust-height", "3", "--trust-hash", honest[2].block.hash.hex]

        let refused = try await CustosExecutable.run(["audit", "verify", forkFile.path] + pins)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("height 3"), "\(refused.stderr)")
        let headRefused = try await CustosExecutable.run(["audit", "verify", forkFile.path, "--head", honest[4].block.hash.hex])
        #expect(headRefused.status == 1)
        #expect(headRefused.stderr.contains("height 5"), "\(headRefused.stderr)")

        let passed = try await CustosExecutable.run(["audit", "verify", honestFile.path, "--head", honest[4].block.hash.hex] + pins)
        #expect(passed.status == 0, "\(passed.stderr)")
        #expect(passed.stdout.hasPrefix("valid: 5 blocks"), "\(passed.stdout)")

        let unpaired = try await CustosExecutable.run(["audit", "verify", honestFile.path, "--trust-height", "3"])
        #expect(unpaired.status == 1 && unpaired.stderr.contains("go together"), "\(unpaired.stderr)")
    }
}
