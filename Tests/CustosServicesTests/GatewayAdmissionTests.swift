import Crypto
import CustosClusterAPI
import CustosCore
import CustosGateway
import CustosIdentity
import CustosLedger
import CustosState
import Foundation
import Logging
import Testing

/// What the gateway queues, in process: an entry every node would refuse a block for (it does not
/// decode) is refused at submission; any other is queued, with a preview of what the committed
/// state would do with it — including a well-formed entry the rules will refuse, which commits
/// and is recorded by every node.
struct GatewayAdmissionTests {
    static let genesis = try! TestGenesis()
    let identities: [NodeIdentity] = (1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init(), transportKey: .init()) }

    @Test func onlyUndecodableEntriesAreRefusedAndTheRestArePreviewed() async throws {
        let configuration = try Self.genesis.configuration(identities, genesisTimestamp: 1_000)
        let gateway = try await Gateway(configuration: configuration, store: try SQLiteGatewayStore.inMemory(),
                                        logger: Logger(label: "test"), clock: { 2_000 })
        do {
            _ = try await gateway.submit(try Entry(kind: GovernanceEntry.approveKind, payload: [1, 2, 3]))
            Issue.record("queued an entry no node can read")
        } catch let error as AdmissionError {
            #expect(error.reason.contains("governance.approve payload"), "\(error.reason)")
        }
        var frank = try #require(Self.genesis.authenticators["frank"])
        let assertion = frank.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: [7])
        let unknown = try GovernanceEntry.approve(operationId: "nothing", user: "frank", assertion: assertion).entry()
        let refused = try await gateway.submit(unknown)
        #expect(refused.preview?.hasPrefix("refused: unknownOperation") == true, "\(refused.preview ?? "no preview")")
        let note = try await gateway.submit(try Entry(kind: "test.note", payload: [1]))
        #expect(note.preview == nil)
        #expect(try await gateway.health().queuedEntries == 2)
        let proposal = try #require(try await gateway.nextProposal(after: 0))
        #expect(proposal.entries == [unknown, try Entry(kind: "test.note", payload: [1])])
    }
}
