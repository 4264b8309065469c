import CustosCore
import CustosIdentity
import CustosPolicy
@testable import CustosState
import Testing

/// The access matrix (`custos access matrix`) is derived from the rules every node enforces: each
/// cell is checked here against what the nodes actually do with a proposal, an approval or a
/// request, for the shipped example policy and the registered people.
@Suite struct AccessMatrixTests {
    static let people = ["erin", "frank", "grace", "heidi", "laura"]

    static func change(_ action: GovernanceOperation.Action) -> GovernanceChange {
        switch action {
        case .addUser: return .addUser(id: "zoe", roles: ["trader"])
        case .freeze: return .freeze
        default: return .changePolicy(yaml: ExamplePolicyTests.yaml.replacing("version: 14", with: "version: 15"))
        }
    }

    static func refused(_ outcome: GovernanceOutcome) -> Bool {
        if case .refused = outcome { return true }
        return false
    }

    /// For adding a person, freezing and changing the policy: a person the matrix says may
    /// propose gets the proposal accepted (executed at once where it says `alone`), anyone else
    /// is refused; a person it says may approve has their approval of someone else's proposal
    /// counted, anyone else is refused.
    @Test func theExamplePolicysGovernanceCellsAreWhatTheNodesEnforce() throws {
        let c = try ExamplePolicyTests.cluster()
        let m = c.state.accessMatrix
        #expect(m.cell("heidi", "governance:freeze") == "alone")
        #expect(m.cell("frank", "governance:freeze") == "propose, approve")
        #expect(m.cell("heidi", "governance:change_policy") == "propose, approve")
        #expect(m.cell("role:security-officer", "governance:freeze") == "alone", "officers freeze alone; the quorum for others is the admins")
        for action in [GovernanceOperation.Action.addUser, .freeze, .changePolicy] {
            let key = "governance:" + action.rawValue
            for person in Self.people {
                let cell = try #require(m.cell(person, key))
                var proposing = c
                let (p, outcome) = try proposing.propose(Self.change(action), by: person)
                let mayPropose = cell.contains("propose") || cell.contains("alone")
                #expect(Self.refused(outcome) == !mayPropose, "\(person) proposing \(action): matrix \"\(cell)\", nodes \(outcome)")
                if cell.contains("alone") { #expect(proposing.status(p) == .executed, "\(person) \(action)") }
                guard let proposer = Self.people.first(where: { $0 != person && m.cell($0, key)?.hasPrefix("propose") == true })
                else { continue }
                var approving = c
                let (q, proposed) = try approving.propose(Self.change(action), by: proposer)
                #expect(!Self.refused(proposed) && approving.status(q) == .proposed)
                let approval = try approving.approve(q, by: person)
                #expect(Self.refused(approval) == !cell.contains("approve"), "\(person) approving \(proposer)'s \(action): matrix \"\(cell)\", nodes \(approval)")
            }
        }
    }

    /// Requests on a vault: the people in the groups a require rule asks for may approve a held
    /// request there, and nobody else; the bot the allow rule admits may initiate.
    @Test func requestCellsAreWhatTheNodesEnforce() throws {
        let (c, key) = try RequestApprovalTests.cluster()
        let m = c.state.accessMatrix
        #expect(m.cell("risk-bot", "initiate:hot")?.contains("transfer") == true)
        #expect(m.cell("risk-bot", "approve:hot") == "", "bots never approve")
        var held = c
        let id = try RequestApprovalTests.held(&held, key, amount: "50")
        for person in Cluster.people.map(\.0) {
            let cell = try #require(m.cell(person, "approve:hot"))
            var approving = held
            let outcome = try RequestApprovalTests.decide(&approving, .approve, id, by: person)
            #expect(Self.refused(outcome) == (cell != "approve"), "\(person): matrix \"\(cell)\", nodes \(outcome)")
        }
    }

    /// A policy change's effect on the matrix, cell by cell, and the two printed forms.
    @Test func aDiffListsExactlyTheCellsAChangeMoves() throws {
        let c = try ExamplePolicyTests.cluster()
        let inForce = c.state.accessMatrix
        #expect(try c.state.accessMatrix(yaml: c.state.policyYAML) == (14, inForce))
        let narrower = ExamplePolicyTests.yaml.replacing(
            "change_policy: {all: [{group: admins, count: 2}, {group: security, count: 1}]}", with: "change_policy: {group: admins, count: 2}")
        #expect(narrower != ExamplePolicyTests.yaml)
        let lines = AccessMatrix.diff(from: inForce, to: try c.state.accessMatrix(yaml: narrower).matrix)
        #expect(lines.contains("heidi: change_policy: propose, approve → propose"), "\(lines)")
        #expect(lines.contains("role:security-officer: change_policy: propose, approve → propose"), "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("frank:") }, "an admin keeps what they had: \(lines)")
        #expect(AccessMatrix.diff(from: inForce, to: inForce).isEmpty)
        let escaped = AccessMatrix.diff(from: inForce, to: try c.state.accessMatrix(yaml: narrower).matrix, escape: { "<\($0)>" })
        #expect(escaped.contains("<heidi>: <change_policy>: <propose, approve> → <propose>"), "the escape reaches names, titles and cells only: \(escaped)")
        let markdown = inForce.markdown()
        #expect(markdown.hasPrefix("| who | kind | roles | add_user |"))
        #expect(markdown.contains("| heidi | person | security-officer | "))
        let csv = inForce.csv().split(separator: "\n")
        #expect(csv.first?.hasPrefix("who,kind,roles,governance:add_user,") == true)
        #expect(csv.count == inForce.rows.count + 1)
        do {
            _ = try c.state.accessMatrix(yaml: "policy: [")
            Issue.record("a document that does not parse gave a matrix")
        } catch {
            #expect(error.code == .invalidPolicy)
        }
    }

    /// What the nodes refuse whatever the rules say (review helper-99 M2, M3, H2): a principal
    /// the registries lack, or one removed, has an empty row; a bot never governs; a deny rule
    /// with no other clause takes "initiate" away, one limited in time does not; a draft whose
    /// matrix would be too large is refused before it is computed.
    @Test func rowsAreEmptyWhereTheNodesRefuseWhateverTheRulesSay() throws {
        let c = try ExamplePolicyTests.cluster()
        let m = c.state.accessMatrix
        let alice = try #require(m.rows.first { $0.subject == "alice" })
        #expect(alice.cells.allSatisfy { $0.isEmpty }, "alice is in the document, not in the registry: \(alice.cells)")
        let (c2, key) = try RequestApprovalTests.cluster()
        var removed = c2
        try removed.govern(.removeBot(id: "risk-bot"))
        #expect(c2.state.accessMatrix.cell("risk-bot", "initiate:hot")?.contains("transfer") == true)
        #expect(removed.state.accessMatrix.rows.first { $0.subject == "risk-bot" }?.cells.allSatisfy { $0.isEmpty } == true)
        #expect(c2.state.accessMatrix.columns.filter { $0.key.hasPrefix("governance:") }.allSatisfy { c2.state.accessMatrix.cell("risk-bot", $0.key) == "" })
        _ = key
        let denied = c2.state.policyYAML.replacing("rules:\n", with: """
            rules:
              - name: no-bots-on-hot
                match: {initiator: {kind: bot}, vault: [hot]}
                outcome: deny

            """)
        // Transfers and calls are denied (the rule names no kind: it covers those two); messages
        // stay, under their own allow rule.
        #expect(try c2.state.accessMatrix(yaml: denied).matrix.cell("risk-bot", "initiate:hot") == "message")
        let nights = denied.replacing("match: {initiator: {kind: bot}, vault: [hot]}", with: "match: {initiator: {kind: bot}, vault: [hot], outside: {zone: UTC, days: [mon, tue, wed, thu, fri], hours: \"08:00-18:00\"}}")
        #expect(nights != denied)
        #expect(try c2.state.accessMatrix(yaml: nights).matrix.cell("risk-bot", "initiate:hot")?.contains("transfer") == true)
        let crowded = c2.state.policyYAML.replacing("vaults: [hot]", with: "vaults: [" + (0..<5000).map { "v\($0)" }.joined(separator: ", ") + "]")
        do {
            _ = try c2.state.accessMatrix(yaml: crowded)
            Issue.record("a draft with a matrix of millions of cells was computed")
        } catch {
            #expect(error.reason.contains("more than \(ReplicatedState.maximumAccessMatrixCells)"), "\(error.reason)")
        }
    }
}
