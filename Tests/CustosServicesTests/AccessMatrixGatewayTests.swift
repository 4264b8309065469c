import AsyncHTTPClient
import CustosClusterAPI
import CustosPolicy
import CustosState
import CustosTestSupport
import Foundation
import NIOCore
import Testing
@testable import CustosGateway

/// `custos access matrix` through a gateway served in process: the matrix of the policy in force
/// as Markdown, CSV and JSON, labelled as the gateway's computation, and `--diff OLD NEW` listing
/// the cells a policy change moves.
@Suite(.timeLimit(.minutes(5)))
struct AccessMatrixGatewayTests {
    @Test func theCLIPrintsTheMatrixAndWhatAChangeDoesToIt() async throws {
        let committed = try await CommittedGateway()
        let gateway = committed.gateway
        let state = await gateway.governanceState
        let height = await gateway.committed.1
        let old = try ConsoleRequestFixture.policy()
        // The routine rule's single admin becomes two admins and a security officer for
        // transfers over 10: security officers may now approve requests on the vault.
        let new = old.replacingOccurrences(of: "\nversion: 14\n", with: "\nversion: 15\n")
            .replacingOccurrences(of: "{require: {group: admins, count: 1}}", with: "{require: {all: [{group: admins, count: 1}, {group: security, count: 1}]}}")
        #expect(new != old && new.contains("group: security, count: 1"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("matrix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (oldFile, newFile) = (folder.appendingPathComponent("old.yaml"), folder.appendingPathComponent("new.yaml"))
        try Data(old.utf8).write(to: oldFile)
        try Data(new.utf8).write(to: newFile)
        let vault = try #require(state.policy.document.vaults.first?.value)
        try await InProcessGateway.with(gateway) { url in
            let markdown = try await CustosExecutable.run(["access", "matrix", "--gateway", url])
            #expect(markdown.status == 0, "\(markdown.stderr)")
            #expect(markdown.stdout.hasPrefix("# Access matrix, policy version \(state.policyVersion)\n\ncomputed by the gateway at height \(height); not verified by any node."), "\(markdown.stdout)")
            #expect(markdown.stdout.contains("| who | kind | roles | add_user |"))
            let csv = try await CustosExecutable.run(["access", "matrix", "--gateway", url, "--csv"])
            #expect(csv.status == 0 && csv.stdout.hasPrefix("who,kind,roles,governance:add_user,"), "\(csv.stdout.prefix(200))")
            let json = try await CustosExecutable.run(["access", "matrix", "--gateway", url, "--json"])
            let view = try JSONDecoder().decode(AccessMatrixView.self, from: Data(json.stdout.utf8))
            #expect(view.matrix == state.accessMatrix && view.height == height)
            let diff = try await CustosExecutable.run(["access", "matrix", "--gateway", url, "--diff", oldFile.path, newFile.path])
            #expect(diff.status == 0, "\(diff.stderr)")
            let officers = state.policy.members(ofGroup: "security").filter { !state.policy.members(ofGroup: "admins").contains($0) }
            #expect(!officers.isEmpty)
            for officer in officers {
                #expect(diff.stdout.contains("  \(officer): approve on \(vault): (nothing) → approve"), "\(diff.stdout)")
            }
            #expect(diff.stdout.hasPrefix("access matrix, policy version 14 → 15: "), "\(diff.stdout)")
            let bad = try await CustosExecutable.run(["access", "matrix", "--gateway", url, "--diff", oldFile.path])
            #expect(bad.status != 0 && bad.stderr.contains("--diff takes two policy files"), "\(bad.stderr)")
        }
    }
}
