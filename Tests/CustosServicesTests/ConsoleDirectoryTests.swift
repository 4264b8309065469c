import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosState
import CustosTestSupport
import Foundation
import NIOHTTP1
import Testing
@testable import CustosGateway

/// The governance directory and the Freeze button over a gateway served in process whose blocks
/// carry real certificates (`CommittedGateway`): the pages for signed-in people only, every value
/// from the state escaped, the open operations that would change each page; the freeze proposed
/// from its confirmation page by a security officer only, frozen once its block commits.
@Suite(.timeLimit(.minutes(5)))
struct ConsoleDirectoryTests {
    static let hostileAddress = "<img/src=x/onerror=alert(1)>"

    /// The request fixture's policy with an address-book entry whose address is markup.
    static func policy() throws -> String {
        try ConsoleRequestFixture.policy().replacingOccurrences(
            of: "address_book:\n", with: "address_book:\n  odd-entry:\n    chain: ethereum\n    address: \"\(hostileAddress)\"\n")
    }

    /// erin's proposal of `change` under `id`, committed.
    static func propose(_ id: String, _ change: GovernanceChange, by user: String, _ committed: inout CommittedGateway) async throws {
        let proposal = GovernanceProposal(id: id, proposer: user, change: change)
        let genesis = await committed.gateway.governanceState.genesisDigest
        let assertion = committed.genesis.authenticators[user]!.getAssertion(
            relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: proposal.challenge(.propose, genesisDigest: genesis))
        try await committed.commit(try GovernanceEntry.propose(proposal, assertion: assertion).entry())
    }

    static func rows(_ page: String) -> [String] {
        page.components(separatedBy: "<tr data-key=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    @Test func theDirectoryShowsTheCommittedStateEscapedWithTheOperationsThatWouldChangeIt() async throws {
        var committed = try await CommittedGateway(policyYAML: try Self.policy())
        try await Self.propose("op-add-mallory", .addUser(id: "mallory", roles: ["trader"]), by: "erin", &committed)
        let state = await committed.gateway.governanceState
        #expect(state.operations["op-add-mallory"]?.isOpen == true)
        try await ConsoleTests.withClient(committed.gateway) { client, baseURL in
            var anonymous = ConsoleTests.Browser(client: client, base: baseURL)
            for section in ConsoleDirectorySection.allCases {
                let answer = try await anonymous.send(.GET, "/console/directory/\(section.rawValue)")
                #expect(answer.status == .seeOther && answer.headers["Location"] == ["/console/sign-in"], "\(section) without a session")
            }
            var browser = ConsoleTests.Browser(client: client, base: baseURL)
            try await ConsoleActivityTests.signIn(&browser, as: "frank", &committed)
            let start = try await browser.send(.GET, "/console/directory")
            #expect(start.status == .seeOther && start.headers["Location"] == ["/console/directory/users"])
            #expect(try await browser.send(.GET, "/console/directory/nothing").status == .notFound)
            let inbox = try await browser.send(.GET, "/console/")
            #expect(inbox.text.contains(#"<a href="/console/directory/users">Directory</a>"#))

            let users = try await browser.send(.GET, "/console/directory/users")
            #expect(users.status == .ok && users.headers["Content-Security-Policy"].first?.contains("script-src 'self'") == true)
            #expect(Self.rows(users.text) == ["erin", "frank", "grace", "heidi", "laura"])
            #expect(users.text.contains("<td>erin</td><td>active</td><td>admin, security-officer</td><td>1</td><td>none</td>"))
            #expect(users.text.contains(#"<tr data-operation="op-add-mallory"><td><a href="/console/operations/op-add-mallory">op-add-mallory</a>"#))
            #expect(users.text.contains("Add the person mallory with the roles trader"))

            let roles = try await browser.send(.GET, "/console/directory/roles")
            #expect(roles.text.contains("<td>security-officer</td><td>erin, heidi, laura</td><td>security</td>"), "\(roles.text)")
            #expect(roles.text.contains("freezes alone, cancels during a time-lock"))
            #expect(roles.text.contains("<td>admin</td><td>erin, frank, grace</td><td>admins</td><td>rule require-an-admin-token-approvals (admins); "))
            #expect(roles.text.contains("rule require-two-admins-large (admins);") && roles.text.contains("governance unfreeze</td>"))
            #expect(roles.text.contains("counts towards the quorum"))
            #expect(roles.text.contains("op-add-mallory"), "adding a person with a role changes who holds it")

            let credentials = try await browser.send(.GET, "/console/directory/credentials")
            #expect(Self.rows(credentials.text).count == 5 && credentials.text.components(separatedBy: "<td>in use</td>").count == 6)
            let erin = try #require(state.users["erin"]?.credentials.first)
            #expect(credentials.text.contains("<details><summary>\(Base64URL.encode(erin.credentialId).prefix(16))…"))
            #expect(credentials.text.contains("software true (development only)"))

            let members = try await browser.send(.GET, "/console/directory/members")
            #expect(Self.rows(members.text) == ["node-1", "node-2", "node-3", "node-4"])
            let node = committed.identities[0]
            let fingerprint = String(Hashes.sha256(try node.member().publicKeyBytes).hexString.prefix(16))
            #expect(members.text.contains("<td>node-1</td><td>\(fingerprint)</td>"))
            #expect(members.text.contains("Member-set fingerprint \(OfflineMembers.fingerprint(of: state.members)): what an offline signer shows"))
            #expect(members.text.contains("not reported yet") && members.text.contains("<td>at genesis</td>"))
            #expect(members.text.contains("No open operation would change what this page shows."))

            let book = try await browser.send(.GET, "/console/directory/address-books")
            #expect(!book.text.contains("<img/src") && book.text.contains("&lt;img/src=x/onerror=alert(1)&gt;"))
            #expect(book.text.contains("<details><summary>0x2e6d88f4…ccba8f</summary><code class=\"full\">0x2e6d88f471c41bd6dc54146e5eea659498ccba8f</code></details>"))
            #expect(book.text.contains("usable (in the genesis policy)"))
            #expect(try await browser.send(.GET, "/console/directory/bots").status == .ok)
        }
    }

    @Test func onlyASecurityOfficerFreezesFromTheConsoleWithTheOperationTheirBrowserSigns() async throws {
        var committed = try await CommittedGateway()
        try await ConsoleTests.withClient(committed.gateway) { client, baseURL in
            // frank holds no freeze role: no button, the page and the form refuse him.
            var frank = ConsoleTests.Browser(client: client, base: baseURL)
            try await ConsoleActivityTests.signIn(&frank, as: "frank", &committed)
            let frankInbox = try await frank.send(.GET, "/console/")
            #expect(!frankInbox.text.contains("freeze-button"))
            let refused = try await frank.send(.GET, "/console/freeze")
            #expect(refused.status == .forbidden && refused.text.contains("Only holders of security-officer may freeze"))
            let frankToken = try ConsoleTests.hiddenValue("csrf", in: frankInbox.text)
            #expect(try await frank.send(.POST, "/console/freeze", form: ["csrf": frankToken, "operation": "freeze-1", "act": "propose"]).status == .forbidden)

            var heidi = ConsoleTests.Browser(client: client, base: baseURL)
            try await ConsoleActivityTests.signIn(&heidi, as: "heidi", &committed)
            let inbox = try await heidi.send(.GET, "/console/")
            #expect(inbox.text.contains(#"<a class="freeze-button" id="freeze-button" href="/console/freeze">Freeze</a>"#))
            let page = try await heidi.send(.GET, "/console/freeze")
            #expect(page.status == .ok && page.text.contains("Freeze all signing"))
            let id = try ConsoleTests.hiddenValue("operation", in: page.text)
            #expect(id.hasPrefix("freeze-"))
            let proposal = GovernanceProposal(id: id, proposer: "heidi", change: .freeze, lifetimeSeconds: ConsoleRoutes.freezeLifetimeSeconds)
            // The page shows every signed field: the same as the proposal's.
            for field in proposal.consoleFields where !field.isList {
                #expect(page.text.contains("<th>\(field.label)</th><td><span data-canon=\"\(field.type)\""), "\(field.label)")
            }
            #expect(page.text.contains(">freeze</span>") && page.text.contains(">heidi</span>"))
            let token = try ConsoleTests.hiddenValue("csrf", in: page.text)
            let genesis = await committed.gateway.governanceState.genesisDigest
            let assertion = committed.genesis.authenticators["heidi"]!.getAssertion(
                relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: proposal.challenge(.propose, genesisDigest: genesis))
            var form = ConsoleTests.assertionForm(assertion).merging(["operation": id, "act": "propose"]) { a, _ in a }
            #expect(try await heidi.send(.POST, "/console/freeze", form: form).status == .forbidden, "no CSRF token")
            form["csrf"] = token
            var other = form
            other["operation"] = "not-a-freeze"
            #expect(try await heidi.send(.POST, "/console/freeze", form: other).status == .badRequest)
            let sent = try await heidi.send(.POST, "/console/freeze", form: form)
            #expect(sent.status == .seeOther && sent.headers["Location"] == ["/console/?proposed=\(id)"], "\(sent.text)")
            try await committed.certify()
            let state = await committed.gateway.governanceState
            #expect(state.frozen && state.operations[id]?.status == .executed)
            let after = try await heidi.send(.GET, "/console/")
            #expect(after.text.contains("FROZEN: all signing is stopped") && !after.text.contains("freeze-button"))
            #expect(try await heidi.send(.GET, "/console/freeze").status == .conflict)
        }
    }
}
