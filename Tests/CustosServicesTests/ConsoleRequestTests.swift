import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
@testable import CustosGateway
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Foundation
import Logging
import Testing

/// The console's request pages rendered in process from a committed state (no browser, no
/// nodes): the inbox line of a request waiting for the person in plain language with why it
/// needs them and what is unusual, identical requests on one line, the page showing the exact
/// signing input whose SHA-256 is the request id, and every value from a request shown as text.
@Suite(.timeLimit(.minutes(5)))
struct ConsoleRequestTests {
    /// A state under `ConsoleRequestFixture.policy()` where heidi asked for a large transfer to a
    /// look-alike of kraken-eth (memo `memo`), three identical routine ones and one other.
    static func state(memo: String) throws -> (ReplicatedState, TestGenesis, large: String, routine: [String], other: String) {
        var genesis = try TestGenesis(policyYAML: ConsoleRequestFixture.policy())
        var state = try ReplicatedState(genesis: genesis.document)
        var time: UInt64 = 1_800_000_000_000
        func submit(_ body: JSONValue) throws -> String {
            time += 1000
            let (entry, id) = try ConsoleRequestFixture.submission(
                body, by: "heidi", genesis: state.genesisDigest, timestamp: time, authenticator: &genesis.authenticators["heidi"]!,
                rpId: TestGenesis.rpId, origin: TestGenesis.origin)
            let outcome = state.apply(entry, blockTime: time)
            #expect(outcome == .requestDecided(requestId: id, outcome: .needsApprovals), "\(outcome)")
            return id
        }
        let large = try submit(ConsoleRequestFixture.transfer(by: "heidi", amount: "250000", to: ConsoleRequestFixture.lookalike, memo: memo))
        let routine = try (0..<3).map { _ in try submit(ConsoleRequestFixture.transfer(by: "heidi", amount: "50")) }
        let other = try submit(ConsoleRequestFixture.transfer(by: "heidi", amount: "60"))
        return (state, genesis, large, routine, other)
    }

    static func console(_ genesis: TestGenesis) async throws -> Console {
        Console(gateway: try await Gateway(
            configuration: try genesis.configuration((1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init(), transportKey: .init()) },
                                                     genesisTimestamp: 1_000),
            store: try SQLiteGatewayStore.inMemory(), logger: Logger(label: "test")))
    }

    @Test func theInboxShowsEachWaitingRequestInWordsWithWhyAndWhatIsUnusualAndIdenticalOnesOnce() async throws {
        let (state, genesis, large, routine, other) = try Self.state(memo: "")
        let groups = ConsoleRoutes.waitingRequests(for: "frank", in: state)
        #expect(groups.map { $0.map(\.id) } == [[large], routine, [other]])
        #expect(ConsoleRoutes.waitingRequests(for: "heidi", in: state).isEmpty, "the initiator is asked nothing")
        #expect(ConsoleRoutes.waitingRequests(for: "laura", in: state).isEmpty, "laura is in no group the requests need")

        let items = groups.map { ConsoleRequestItem($0, in: state, now: state.time + 90_000) }
        #expect(items[0].summary == "Transfer 250,000 USDC from hot-trading to \(ConsoleRequestFixture.lookalike) (not in the address book) on ethereum")
        #expect(items[0].unusual.map(\.text).contains { $0.hasPrefix("LOOK-ALIKE: ") && $0.contains("resembles kraken-eth") }, "\(items[0].unusual)")
        #expect(items[0].unusual.map(\.text).contains { $0.hasPrefix("NEW DESTINATION") })
        #expect(items[0].needed == "2 more from admins (rule require-two-admins-large)")
        #expect(items[0].explanation.map(\.text).contains { $0.contains("require-two-admins-large") })
        #expect(items[0].initiator == "heidi" && items[0].age == "1 min")
        #expect(items[1].summary == "3 × Transfer 50 USDC from hot-trading to kraken-eth \(ConsoleRequestFixture.kraken) on ethereum" && items[1].isBatch)
        #expect(items[1].link == "/console/batches/\(routine[0])")
        #expect(items[2].summary.hasPrefix("Transfer 60 USDC") && items[2].link == "/console/requests/\(other)")

        let console = try await Self.console(genesis)
        let frame = ConsoleRoutes.frame(state, title: "Inbox", session: nil)
        let inbox = try #require(console.render(
            ConsoleInboxPage(frame: frame, requests: items, operations: [], recent: [], enrolments: [], notice: nil), template: "inbox"))
        #expect(inbox.contains(#"<tr class="request" data-request="\#(routine[0])" data-count="3">"#), "\(inbox)")
        #expect(inbox.contains("3 × Transfer 50 USDC"))
    }

    @Test func aRequestPageShowsTheExactSigningInputAndEveryValueAsText() async throws {
        let hostile = #"<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> & 'q'"#
        let (state, genesis, large, routine, _) = try Self.state(memo: hostile)
        let recorded = try #require(state.requestBook.requests[large])
        let content = try #require(ConsoleRequestContent(recorded, in: state, displaying: { $0 }))
        // The text shown is what the initiator signed: its SHA-256 is the request id.
        #expect(Hashes.sha256(Array(content.signingInput.utf8)).hexString == large)
        #expect(content.lines.contains { $0.label == "body" && $0.text.contains("<script>window.__pwned=1</script>") }, "\(content.lines)")
        let console = try await Self.console(genesis)
        let item = ConsoleRequestItem([recorded], in: state, now: state.time)
        let page = try #require(console.render(ConsoleRequestPage(
            frame: ConsoleRoutes.frame(state, title: "Request", session: nil), item: item, requests: [content], canDecide: true,
            credentialId: "", notice: nil), template: "request"))
        #expect(!page.contains("<script>window") && !page.contains("<img"), "every value is escaped")
        #expect(page.contains("&lt;script&gt;window.__pwned=1&lt;/script&gt;"))
        #expect(page.contains(#"<form id="decide-request" method="post" action="/console/requests/\#(large)/decision""#))
        #expect(page.contains(#"<button type="button" class="act" id="reject" data-act="reject">"#))

        // A gateway that alters what it shows changes the text, and so the id the browser hashes.
        let altered = GatewayFaultInjection(altersConsoleDisplay: true)
        let shown = try #require(ConsoleRequestContent(recorded, in: state, displaying: altered.displaying(signingInput:)))
        #expect(shown.signingInput.contains(#""amount":"9250000""#))
        #expect(Hashes.sha256(Array(shown.signingInput.utf8)).hexString != large)

        // The identical requests' page lists each in full and approves, never rejects, them together.
        let group = routine.compactMap { state.requestBook.requests[$0] }
        let batch = try #require(console.render(ConsoleRequestPage(
            frame: ConsoleRoutes.frame(state, title: "Batch", session: nil), item: ConsoleRequestItem(group, in: state, now: state.time),
            requests: group.compactMap { ConsoleRequestContent($0, in: state, displaying: { $0 }) }, canDecide: true, credentialId: "", notice: nil),
            template: "request"))
        #expect(routine.allSatisfy { batch.contains(#"<article class="request-content" data-request="\#($0)">"#) })
        #expect(batch.contains(#"<input type="hidden" name="ids" value="\#(routine.joined(separator: ","))">"#))
        #expect(batch.contains("Approve all 3 with your security key") && !batch.contains(#"id="reject""#))
    }
}
