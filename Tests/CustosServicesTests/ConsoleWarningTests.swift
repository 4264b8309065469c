import Crypto
import CustosCore
@testable import CustosGateway
import CustosIdentity
import CustosLedger
import CustosState
import Foundation
import Logging
import Testing

/// The console shows, above everything else of a policy change, a warning for each address-book
/// entry it adds that the policy in force sees as a look-alike of an entry (an attacker who
/// plants a look-alike would next try to get it into the address book).
@Suite(.timeLimit(.minutes(5)))
struct ConsoleWarningTests {
    @Test func aPolicyChangeAddingALookalikeOfKrakenShowsARedWarningInTheInboxAndOnItsPage() async throws {
        var genesis = try TestGenesis()
        var state = try ReplicatedState(genesis: genesis.document)
        let example = genesis.document.policyYAML
        let added = example.replacingOccurrences(of: "version: 14", with: "version: 15").replacingOccurrences(of: "address_book:\n", with: """
            address_book:
              kraken-eth-2:
                chain: ethereum
                address: "0x2e6d000000000000000000000000000000<b>ba8f"
                counterparty: kraken
              kraken-eth-3:
                chain: ethereum
                address: "0x2e6d0000000000000000000000000000000aba8f"
                counterparty: kraken

            """)
        let proposal = GovernanceProposal(id: "add-kraken-3", proposer: "erin", change: .changePolicy(yaml: added, replaces: ReplicatedState.policyDigest(of: state.policyYAML)),
                                          lifetimeSeconds: 3600)
        let assertion = genesis.authenticators["erin"]!.getAssertion(
            relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: proposal.challenge(.propose, genesisDigest: state.genesisDigest))
        let outcome = state.apply(try GovernanceEntry.propose(proposal, assertion: assertion).entry(), blockTime: 2_000_000)
        let operation = try #require(state.operations["add-kraken-3"], "\(outcome)")
        let item = ConsoleInboxItem(operation, in: state, viewer: "frank")
        #expect(item.warnings.map { $0.text } == [
            "new address-book entry kraken-eth-3: LOOK-ALIKE: 0x2e6d…ba8f resembles kraken-eth (0x2e6d…ba8f on ethereum): the same first 4 and last 4 hex digits, but it is not in the address book on ethereum",
        ], "an address that is no EVM address is not compared; a genuine new one would show nothing")
        let console = Console(gateway: try await Gateway(
            configuration: try genesis.configuration((1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init(), transportKey: .init()) },
                                                     genesisTimestamp: 1_000),
            store: try SQLiteGatewayStore.inMemory(), logger: Logger(label: "test")))
        let frame = ConsoleRoutes.frame(state, title: "Governance inbox", session: nil)
        let inbox = try #require(console.render(
            ConsoleInboxPage(frame: frame, requests: [], operations: [item], recent: [], enrolments: [], notice: nil), template: "inbox"))
        #expect(inbox.contains(#"<strong class="warning" role="alert">⚠ new address-book entry kraken-eth-3: LOOK-ALIKE: 0x2e6d…ba8f resembles kraken-eth"#), "\(inbox)")
        let page = try #require(console.render(
            ConsoleOperationPage(frame: frame, item: item, failure: nil, refusals: [], fields: proposal.consoleFields, canDecide: true,
                                 canApprove: true, credentialId: "", notice: nil), template: "operation"))
        #expect(page.contains(#"<p class="warning" role="alert">⚠ new address-book entry kraken-eth-3: LOOK-ALIKE"#), "\(page)")
        // The proposed document is shown as signed, markup in it as text.
        #expect(page.contains("0x2e6d000000000000000000000000000000&lt;b&gt;ba8f"), "\(page)")
        #expect(!page.contains("<b>"), "every shown value is escaped")
    }
}
