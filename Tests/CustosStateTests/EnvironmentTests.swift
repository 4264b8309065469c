import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// Environments never mix, as every node's state transition enforces them (issue 14 item 5): a
/// request from a bot of another environment than its vault's is denied, whatever the rules
/// say, with an explanation naming both; an approval by a person whose roles do not act in the
/// vault's environment is refused and never counts. Tried as an attacker would: a staging bot
/// aimed at a production vault, a bot registered without an environment, a security officer
/// scoped to staging approving a production transfer.
@Suite struct EnvironmentTests {
    /// Vault `hot` is production, `lab` staging. Transfers to exchanges are allowed up to 1000
    /// ETH; above 10 they need one approver. heidi's `security` role acts in staging only, so
    /// she approves `lab`'s transfers and not `hot`'s; admins approve both.
    static let policy = Cluster.policy(version: 2)
        .replacing("vaults: [hot]", with: "vaults: [hot, lab]")
        .replacing("  security: {roles: [security]}\n", with: "  security: {roles: [security]}\n  approvers: {roles: [security, admin]}\n")
        .replacing("rules:\n", with: """
            roles:
              security: {environments: [staging]}
            rules:
              - name: to-exchanges
                match: {destination: {tags: [exchange]}, amount: {up_to: 1000}}
                outcome: allow
              - name: large-needs-an-approver
                match: {amount: {over: 10}}
                outcome: {require: {group: approvers, count: 1}}

            """)

    static let nodes = (1...4).map { NodeIdentity.generate(id: try! NodeID("node-\($0)")) }

    /// The test cluster with four signer nodes, the policy above, both vaults created (their
    /// keys still generating: the environment is the vault's from `create-vault` on), and three
    /// bots: `prod-bot` (production), `stage-bot` (staging) and `old-bot`, proposed without an
    /// environment, as before bots carried one.
    static func cluster() throws -> (Cluster, [String: BotSigningKey]) {
        var c = try Cluster()
        c.state = try ReplicatedState(genesis: c.genesis, members: nodes.map { try $0.member() })
        try c.govern(.changePolicy(yaml: policy))
        #expect(c.state.policyVersion == 2)
        try c.govern(.createVault(id: "hot", label: "Hot", scheme: .ecdsaSecp256k1, environment: .production))
        try c.govern(.createVault(id: "lab", label: "Lab", scheme: .ecdsaSecp256k1, environment: .staging))
        var keys: [String: BotSigningKey] = [:]
        for (id, environment) in [("prod-bot", Vault.Environment.production), ("stage-bot", .staging)] {
            keys[id] = BotSigningKey(ed25519: .init())
            try c.govern(.addBot(id: id, key: keys[id]!.publicKey, roles: ["trading-bot"], environment: environment))
        }
        keys["old-bot"] = BotSigningKey(ed25519: .init())
        try c.govern(.addBot(id: "old-bot", key: keys["old-bot"]!.publicKey, roles: ["trading-bot"]))
        return (c, keys)
    }

    static func transfer(by bot: String, vault: String, amount: String) -> JSONValue {
        var body = Cluster.transfer(by: bot, amount: amount)
        if case .object(var fields) = body {
            fields = fields.map { $0.0 == "vault" ? ("vault", .string(vault)) : $0 }
            body = .object(fields)
        }
        return body
    }

    static func submit(_ c: inout Cluster, _ keys: [String: BotSigningKey], _ bot: String, vault: String, amount: String = "5") throws -> RecordedRequest {
        let outcome = try c.submit(c.signed(transfer(by: bot, vault: vault, amount: amount), keyId: bot, key: keys[bot]!))
        let decided = try #require(Cluster.decided(outcome), "\(outcome)")
        return try #require(c.state.requestBook.requests[decided.id])
    }

    @Test func botsCarryTheirEnvironmentAndOneWithoutIsDevelopment() throws {
        let (c, _) = try Self.cluster()
        #expect(c.state.bots["prod-bot"]?.environment == .production)
        #expect(c.state.bots["stage-bot"]?.environment == .staging)
        #expect(c.state.bots["old-bot"]?.environment == .development)
        let inventory = c.state.inventory
        #expect(inventory.keys.first { $0.kind == .bot && $0.owner == "stage-bot" }?.environment == "staging")
        // heidi's only role acts in staging; erin's admin role acts everywhere.
        #expect(inventory.keys.first { $0.kind == .credential && $0.owner == "heidi" }?.environment == "staging")
        #expect(inventory.keys.first { $0.kind == .credential && $0.owner == "erin" }?.environment == nil)
    }

    @Test func aStagingBotIsDeniedAProductionVaultByEveryNodeAlike() throws {
        var (c, keys) = try Self.cluster()
        #expect(try Self.submit(&c, keys, "prod-bot", vault: "hot").outcome == .allow)
        #expect(try Self.submit(&c, keys, "stage-bot", vault: "lab").outcome == .allow)
        let refused = try Self.submit(&c, keys, "stage-bot", vault: "hot")
        #expect(refused.outcome == .deny)
        guard case .outsideEnvironment(let mismatch) = refused.decision.reason else {
            Issue.record("denied for \(refused.decision.reason)")
            return
        }
        #expect(mismatch.text == "bot stage-bot is a staging bot; vault hot is a production vault, and environments never mix")
        #expect(refused.decision.applied.isEmpty)
        // Neither the other way round, nor a bot registered without an environment.
        #expect(try Self.submit(&c, keys, "prod-bot", vault: "lab").outcome == .deny)
        let old = try Self.submit(&c, keys, "old-bot", vault: "hot")
        #expect(old.decision.reason == .outsideEnvironment(EnvironmentMismatch(
            initiator: "old-bot", kind: .bot, initiatorEnvironments: [.development], vault: "hot", vaultEnvironment: .production)))
        // Another node replaying the same log decides the same, with the same words.
        var other = try ReplicatedState(genesis: c.genesis, members: Self.nodes.map { try $0.member() })
        for (entry, time) in c.log { other.apply(entry, blockTime: time) }
        #expect(other.digest == c.state.digest)
        #expect(other.requestBook.requests[refused.id]?.decision == refused.decision)
        // A dry run (the gateway's and `custos policy explain`'s) says the same.
        let dry = try c.state.dryRun(Self.transfer(by: "stage-bot", vault: "hot", amount: "5"), blockTime: c.now + 1000)
        #expect(dry.decision.reason == refused.decision.reason)
    }

    @Test func anApproverWhoseRolesActElsewhereDoesNotCount() throws {
        var (c, keys) = try Self.cluster()
        let production = try Self.submit(&c, keys, "prod-bot", vault: "hot", amount: "50")
        #expect(production.outcome == .needsApprovals)
        #expect(!c.state.eligibleApprovers(of: production).contains("heidi"))
        #expect(c.state.eligibleApprovers(of: production) == ["erin", "frank", "grace"])
        let refused = c.apply(try RequestApprovalTests.entry(&c, .approve, production.id, by: "heidi"))
        guard case .refused(let error) = refused else {
            Issue.record("heidi's approval of a production transfer: \(refused)")
            return
        }
        #expect(error.code == .notEligible)
        #expect(error.reason.contains("their roles act in staging only, and vault hot is a production vault"))
        #expect(c.state.requestBook.requests[production.id]?.approvals?.status == .pending)
        // An admin's approval counts in production.
        c.apply(try RequestApprovalTests.entry(&c, .approve, production.id, by: "frank"))
        #expect(c.state.requestBook.requests[production.id]?.approvals?.status == .approved)
        // heidi approves in staging.
        let staging = try Self.submit(&c, keys, "stage-bot", vault: "lab", amount: "50")
        #expect(staging.outcome == .needsApprovals)
        c.apply(try RequestApprovalTests.entry(&c, .approve, staging.id, by: "heidi"))
        #expect(c.state.requestBook.requests[staging.id]?.approvals?.status == .approved)
    }

    @Test func theAccessMatrixCountsOnlyWhoActsInEachVaultsEnvironment() throws {
        let (c, _) = try Self.cluster()
        let matrix = c.state.accessMatrix
        func cell(_ subject: String, _ column: String) -> String? {
            guard let index = matrix.columns.firstIndex(where: { $0.key == column }) else { return nil }
            return matrix.rows.first { $0.subject == subject }?.cells[index]
        }
        #expect(matrix.columns.contains { $0.title == "approve on hot (production)" })
        #expect(cell("heidi", "approve:hot") == "")
        #expect(cell("heidi", "approve:lab") == "approve")
        #expect(cell("erin", "approve:hot") == "approve")
        #expect(cell("stage-bot", "initiate:hot") == "")
        #expect(cell("stage-bot", "initiate:lab") == "transfer")
        #expect(cell("prod-bot", "initiate:hot") == "transfer")
        #expect(cell("old-bot", "initiate:hot") == "")
    }

    @Test func addBotCarriesItsEnvironmentAndTheOldKindIsRetired() throws {
        let key = BotSigningKey(ed25519: .init()).publicKey
        let proposal = GovernanceProposal(id: "op", proposer: "frank", change: .addBot(id: "x-bot", key: key, roles: ["a"], environment: .staging))
        #expect(try GovernanceProposal(encoded: proposal.encoded) == proposal)
        // A hostile environment name is malformed, naming what is wrong.
        var bytes = proposal.encoded
        let staging = Array("staging".utf8)
        let at = try #require(bytes.indices.last { Array(bytes[$0...].prefix(staging.count)) == staging })
        bytes.replaceSubrange(at..<(at + staging.count), with: Array("stagin_".utf8))
        let unknown = #expect(throws: GovernanceError.self) { try GovernanceProposal(encoded: bytes) }
        #expect(unknown?.reason.contains("environment \"stagin_\" is none of production, staging or development") == true)
        // Kind 10, an add-bot from before bots carried an environment: retired, said so (its
        // approvals were given over another digest; older chains are refused by the node store).
        let old = GovernanceProposal(id: "op", proposer: "frank", change: .addBot(id: "x-bot", key: key, roles: ["a"], environment: .development))
        var legacy = Array(old.encoded.dropLast(4 + "development".utf8.count))
        let kindAt = GovernanceProposal(id: "op", proposer: "frank", change: .freeze).encoded.count - 1
        #expect(legacy[kindAt] == 16)
        legacy[kindAt] = 10
        let retired = #expect(throws: GovernanceError.self) { try GovernanceProposal(encoded: legacy) }
        #expect(retired?.reason.contains("change kind 10") == true && retired?.reason.contains("retired") == true)
    }
}
