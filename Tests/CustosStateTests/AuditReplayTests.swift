import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import CustosTestSupport
import Foundation
import Testing

/// `custos audit verify` replays the governed state from genesis: an export whose governance
/// entry, approval or request was altered — every block re-certified with the node keys, so the
/// hash chain and the certificates all verify — fails at the height and entry of the alteration.
@Suite struct AuditReplayTests {
    /// Four node identities whose keys the test holds: whoever holds a quorum of them can certify
    /// any block, which is what the replay must not trust.
    static let nodes: [NodeIdentity] = (0..<4).map { i in
        var raw = [UInt8](repeating: 7, count: 32)
        raw[0] = UInt8(i)
        var transport = [UInt8](repeating: 0x70, count: 32)
        transport[1] = UInt8(i)
        return NodeIdentity(id: try! NodeID("node-\(i)"), signingKey: try! Curve25519.Signing.PrivateKey(rawRepresentation: raw),
                            transportKey: try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: transport))
    }

    /// A governed history and what the replay must make of it.
    struct History {
        var configuration: ClusterConfiguration
        /// The entries of blocks 1, 2, 3: two proposals; their approvals; a bot's request.
        var blocks: [[Entry]]
        var start: UInt64

        init() throws {
            var c = try Cluster()
            start = c.now
            configuration = try ClusterConfiguration(
                name: "test", members: AuditReplayTests.nodes.map { try $0.member() }, genesisTimestamp: c.now - 60_000,
                genesisDocument: c.genesis.encoded)
            let key = BotSigningKey(ed25519: .init())
            let addDave = GovernanceProposal(id: "add-dave", proposer: "erin", change: .addUser(id: "dave", roles: ["trader"]))
            let addBot = GovernanceProposal(id: "add-bot", proposer: "frank", change: .addBot(id: "risk-bot", key: key.publicKey, roles: ["trading-bot"]))
            blocks = [
                [try c.proposeEntry(addDave), try c.proposeEntry(addBot)],
                [try c.approveEntry(addDave, by: "frank"), try c.approveEntry(addDave, by: "grace"),
                 try c.approveEntry(addBot, by: "grace"), try c.approveEntry(addBot, by: "erin")],
            ]
            c.now += 3_000
            blocks.append([try RequestEntry.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "1"), keyId: "risk-bot", key: key))])
        }

        /// The chain of these entries, block i at `start` + i seconds, each certified by three of
        /// the four test keys.
        func export() throws -> ChainExport {
            var head = ChainHead.genesis(configuration)
            var certified: [CertifiedBlock] = []
            for (i, entries) in blocks.enumerated() {
                let block = try Block(height: head.height + 1, previousHash: head.hash, timestamp: start + UInt64(i + 1) * 1_000, entries: entries)
                let votes = AuditReplayTests.nodes.prefix(3).map { Vote(signing: block, genesisDigest: configuration.genesisDigest, identity: $0) }
                certified.append(CertifiedBlock(
                    block: block, certificate: QuorumCertificate(height: block.height, blockHash: block.hash, previousHash: block.previousHash, votes: votes)))
                head = ChainHead(height: block.height, hash: block.hash, timestamp: block.timestamp)
            }
            return ChainExport(configuration: configuration, blocks: certified)
        }

        /// The export audited with the governed state replayed, and the state the replay reached.
        func audit() throws -> (ChainAudit.Result, ReplicatedState?) {
            var replay = try AuditReplay(configuration: configuration)
            let result = ChainAudit.verify(serialized: try export().serialized) { block throws(ChainAudit.Failure) in
                try replay?.apply(block)
            }
            return (result, replay?.state)
        }
    }

    /// Each alteration: where it is, what it does, and the refusal the replay must name.
    static func alterations() throws -> [(name: String, height: UInt64, entry: Int, alter: (inout History) throws -> Void, expected: [String])] {
        [
            // erin's proposal now makes dave an admin; her assertion was over the trader version.
            ("governance entry", 1, 0, { h in
                guard case .propose(let p, let assertion) = try GovernanceEntry(h.blocks[0][0]) else { throw TestEnvironmentError("not a proposal") }
                let admin = GovernanceProposal(id: p.id, proposer: p.proposer, change: .addUser(id: "dave", roles: ["admin"]),
                                               lifetimeSeconds: p.lifetimeSeconds)
                h.blocks[0][0] = try GovernanceEntry.propose(admin, assertion: assertion).entry()
            }, ["entry 0 (governance.propose by erin for operation add-dave", "assertionRefused (wrongChallenge)"]),
            // grace's approval of add-dave is turned into a rejection with the same assertion.
            ("approval", 2, 1, { h in
                guard case .approve(let id, let user, let assertion, _) = try GovernanceEntry(h.blocks[1][1]) else { throw TestEnvironmentError("not an approval") }
                h.blocks[1][1] = try GovernanceEntry.reject(operationId: id, user: user, assertion: assertion).entry()
            }, ["entry 1 (governance.reject by grace for operation add-dave", "assertionRefused (wrongChallenge)"]),
            // risk-bot's request now moves 9 ETH; it signed for 1.
            ("request", 3, 0, { h in
                let signed = try SignedRequest(json: Array(h.blocks[2][0].payload))
                let altered = SignedRequest(body: Cluster.transfer(by: "risk-bot", amount: "9"), cluster: signed.cluster, keyId: signed.keyId, timestamp: signed.timestamp,
                                            nonce: signed.nonce, signature: signed.signature)
                h.blocks[2][0] = try RequestEntry.submit(altered)
            }, ["entry 0 (request.submit by risk-bot", "requestRefused (badSignature)"]),
        ]
    }

    @Test func theHonestExportReplaysEveryEntry() throws {
        let (result, state) = try History().audit()
        guard case .valid(_, let head) = result else {
            Issue.record("the honest export failed: \(result)")
            return
        }
        #expect(head.height == 3)
        let replayed = try #require(state)
        #expect(replayed.operations["add-dave"]?.status == .executed)
        #expect(replayed.operations["add-bot"]?.status == .executed)
        #expect(replayed.users["dave"]?.roles == ["trader"])
        #expect(replayed.requestBook.requests.count == 1)
        #expect(replayed.refusals.isEmpty, "\(replayed.refusals)")
    }

    /// Would have caught an audit that checks only the hash chain and the certificates (or that
    /// replays an altered entry as one more refusal and reports the export valid).
    @Test func anAlteredEntryInAReCertifiedExportFailsAtItsHeightAndEntry() throws {
        for alteration in try Self.alterations() {
            var history = try History()
            try alteration.alter(&history)
            // Re-certified by the node keys: the log alone verifies.
            guard case .valid = ChainAudit.verify(try history.export()) else {
                Issue.record("\(alteration.name): the re-certified log did not verify without the replay")
                continue
            }
            let (result, _) = try history.audit()
            guard case .invalid(let failure) = result else {
                Issue.record("\(alteration.name): the altered export passed the audit")
                continue
            }
            #expect(failure.height == alteration.height, "\(alteration.name): \(failure)")
            for text in alteration.expected { #expect(failure.reason.contains(text), "\(alteration.name): \(failure)") }
        }
    }

    /// The same through `custos audit verify`, as an auditor runs it: exit status 1, and one line
    /// that names the height and the entry.
    @Test func theAuditCommandNamesTheHeightAndEntryOfAnAlteredApproval() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("custos-audit-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: file) }
        var history = try History()
        try Data(try history.export().serialized).write(to: file)
        let honest = try await CustosExecutable.run(["audit", "verify", file.path, "--genesis", history.configuration.genesisDigest.description])
        #expect(honest.status == 0, "\(honest.stderr)")
        #expect(honest.stdout.contains("valid: 3 blocks"), "\(honest.stdout)")
        #expect(honest.stdout.contains("0 refused entries"), "\(honest.stdout)")

        let approval = try #require(try Self.alterations().first { $0.name == "approval" })
        try approval.alter(&history)
        try Data(try history.export().serialized).write(to: file)
        let altered = try await CustosExecutable.run(["audit", "verify", file.path, "--genesis", history.configuration.genesisDigest.description])
        #expect(altered.status == 1)
        #expect(altered.stderr.contains("height 2: entry 1 (governance.reject by grace for operation add-dave"), "\(altered.stderr)")
        #expect(altered.stderr.contains("assertionRefused (wrongChallenge)"), "\(altered.stderr)")
        #expect(altered.stderr.split(separator: "\n").count == 1, "\(altered.stderr)")
    }
}
