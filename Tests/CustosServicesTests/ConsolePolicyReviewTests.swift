import CustosClusterAPI
import CustosCore
@testable import CustosGateway
import CustosIdentity
import CustosLedger
import CustosPolicy
@testable import CustosState
import Foundation
import Testing

/// The operation page of a proposed `change-policy` operation, rendered in process from a
/// committed state: the policy's differences in plain language, the checker's warnings, and the
/// requests of the last 24 h whose decision it would change (and none that it would not), all
/// labelled as the gateway's computation; and a document every node would refuse said so.
@Suite(.timeLimit(.minutes(5)))
struct ConsolePolicyReviewTests {
    /// A change of the policy to `yaml` proposed by erin in `state` a second after `time`; the open operation.
    static func propose(_ yaml: String, id: String, _ state: inout ReplicatedState, _ genesis: inout TestGenesis, time: inout UInt64) throws -> PendingOperation {
        try propose(.changePolicy(yaml: yaml, replaces: ReplicatedState.policyDigest(of: state.policyYAML)), id: id, &state, &genesis, time: &time)
    }

    static func propose(_ change: GovernanceChange, id: String, _ state: inout ReplicatedState, _ genesis: inout TestGenesis, time: inout UInt64) throws -> PendingOperation {
        time += 1000
        let proposal = GovernanceProposal(id: id, proposer: "erin", change: change)
        let assertion = genesis.authenticators["erin"]!.getAssertion(
            relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: proposal.challenge(.propose, genesisDigest: state.genesisDigest))
        _ = state.apply(try GovernanceEntry.propose(proposal, assertion: assertion).entry(), blockTime: time)
        let operation = try #require(state.operations[id], "\(state.refusals.last.map { "\($0.error)" } ?? "")")
        #expect(operation.isOpen, "\(String(describing: operation.failure))")
        return operation
    }

    @Test func aPolicyChangesPageShowsItsDiffWarningsAndTheDecisionsItWouldChange() async throws {
        // heidi's requests (ConsoleRequestTests.state): 50 USDC approved by erin, 250,000 twice to
        // a look-alike, 50 three times and 60, each held for admins.
        var (state, genesis, large, routine, other) = try ConsoleRequestTests.state(memo: "")
        var time = state.time
        let first = try #require(state.requestBook.order.first)
        // The routine rule from over 10 to over 55 units: the four 50s are allowed, the 60 and
        // the large ones are not changed.
        // The proposed versions are the next one.
        let policy = try ConsoleRequestFixture.policy().replacingOccurrences(of: "\nversion: 14\n", with: "\nversion: 15\n")
        #expect(policy.contains("\nversion: 15\n"))
        let relaxed = policy.replacingOccurrences(of: "match: {amount: {over: 10, up_to: 100000}}", with: "match: {amount: {over: 55, up_to: 100000}}")
        #expect(relaxed != policy)
        let operation = try Self.propose(relaxed, id: "relax-routine", &state, &genesis, time: &time)
        let desk = PolicyReplayDesk()
        let review = try #require(await ConsoleRoutes.policyReview(of: operation, in: state, desk: desk))
        #expect(review.refusal == nil)
        #expect(review.diff.map(\.text).contains { $0.contains("require-an-admin-routine") }, "\(review.diff.map(\.text))")
        #expect(review.headline == "4 of 7 decisions would change under policy version \(try PolicyDocument.decode(yaml: relaxed).version), 4 of them looser")
        let changed = [first] + routine
        #expect(review.changes.map(\.text).map { String($0.prefix(12)) } == changed.map { String($0.prefix(12)) }, "\(review.changes.map(\.text))")
        // The first was approved by erin: signed either way, but without the approval now.
        #expect(review.changes.first?.text.contains("50 USDC to kraken-eth: needs 1 approval (admins), approved → allow: rule allow-people-transfers allows it") == true)
        #expect(review.changes.dropFirst().allSatisfy { $0.text.contains("50 USDC to kraken-eth: needs 1 approval (admins), never approved → allow: rule allow-people-transfers allows it") })
        #expect(!review.changes.contains { $0.text.hasPrefix(other.prefix(12)) || $0.text.hasPrefix(large[0].prefix(12)) })

        let console = try await ConsoleRequestTests.console(genesis)
        let page = try #require(console.render(ConsoleOperationPage(
            frame: ConsoleRoutes.frame(state, title: "Operation", session: nil), item: ConsoleInboxItem(operation, in: state, viewer: "frank"),
            failure: nil, refusals: [], fields: operation.proposal.consoleFields, canDecide: true, canApprove: true, credentialId: "", notice: nil,
            policy: review), template: "operation"))
        #expect(page.contains("computed by the gateway at height \(state.height); not verified by any node"))
        #expect(page.contains(#"<ul id="replay-changes"><li>\#(first.prefix(12)), 50 USDC to kraken-eth: needs 1 approval (admins), approved → allow"#), "\(page)")
        #expect(page.contains(#"<p id="replay-headline">4 of 7 decisions would change"#))
        // The review sits outside what is signed: the script reads only the signed section.
        let review0 = try #require(page.range(of: #"<section id="policy-review""#)), signed = try #require(page.range(of: #"<section id="signed""#))
        #expect(review0.lowerBound < signed.lowerBound)
        #expect(!page[review0.lowerBound..<signed.lowerBound].contains("data-canon"))

        // An unchanged document changes no decision; one every node would refuse is not replayed.
        let same = try Self.propose(policy, id: "same", &state, &genesis, time: &time)
        let unchanged = try #require(await ConsoleRoutes.policyReview(of: same, in: state, desk: desk))
        #expect(unchanged.changes.isEmpty && unchanged.headline.hasPrefix("0 of 7 decisions"))
        #expect(!unchanged.diff.contains { $0.text.contains("rule") }, "\(unchanged.diff.map(\.text))")
        let lockout = policy.replacingOccurrences(of: "quorum: {group: admins, count: 2}", with: "quorum: {group: admins, count: 9}")
        #expect(lockout != policy)
        let refused = ConsolePolicyReview(yaml: lockout, in: state)
        #expect(refused.refusal?.hasPrefix("Every node would refuse this policy") == true, "\(String(describing: refused.refusal))")
        #expect(refused.changes.isEmpty)
        // Any other operation has no review.
        let addUser = try Self.propose(.addUser(id: "dave", roles: ["trader"]), id: "add-dave", &state, &genesis, time: &time)
        #expect(await ConsoleRoutes.policyReview(of: addUser, in: state, desk: desk) == nil)
        // A replay over the desk's work cap is not run, and the page says why.
        let capped = try #require(await ConsoleRoutes.policyReview(of: operation, in: state, desk: PolicyReplayDesk(maximumWork: 10)))
        #expect(capped.headline.hasPrefix("Not replayed: 7 requests under ") && capped.headline.hasSuffix(" rules and limits, with the windows' history, is over the gateway's cap."), "\(capped.headline)")
        #expect(capped.changes.isEmpty)
    }
}
