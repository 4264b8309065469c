import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosGateway
import CustosIdentity
import CustosLedger
import CustosMPC
import CustosState
import Foundation
import Logging
import Testing

/// What the gateway queues, in process: an entry every node would refuse a block for (a kind no
/// node knows, undecodable, unsigned, over its bound) and one whose assertion does not verify
/// against the committed state are refused at submission; any other is queued, with a preview of
/// what the committed state would do with it — including a signed entry the rules will refuse,
/// which commits and is recorded by every node. The queue is bounded per signer and in total.
struct GatewayAdmissionTests {
    static let genesis = try! TestGenesis()
    let identities: [NodeIdentity] = (1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init(), transportKey: .init()) }

    func gateway(_ bounds: GatewayQueueBounds = .standard) async throws -> Gateway {
        let configuration = try Self.genesis.configuration(identities, genesisTimestamp: 1_000)
        return try await Gateway(configuration: configuration, store: try SQLiteGatewayStore.inMemory(),
                                 logger: Logger(label: "test"), clock: { 2_000 }, queueBounds: bounds)
    }

    func refusal(_ gateway: Gateway, _ entry: Entry) async throws -> AdmissionError? {
        do { _ = try await gateway.submit(entry) } catch let error as AdmissionError { return error }
        return nil
    }

    @Test func whatNodesWouldRefuseIsRefusedAndTheRestArePreviewed() async throws {
        let gateway = try await gateway()
        let undecodable = try await refusal(gateway, try Entry(kind: GovernanceEntry.approveKind, payload: [1, 2, 3], authorization: [1]))
        #expect(undecodable?.code == .inadmissible)
        #expect(undecodable?.reason.contains("governance.approve payload") == true, "\(String(describing: undecodable))")
        #expect(try await refusal(gateway, try Entry(kind: "test.note", payload: [1]))?.code == .unknownKind)
        #expect(try await refusal(gateway, try Entry(kind: GovernanceEntry.rejectKind, payload: try TestNote.entry("1").payload))?.code
            == .unsigned)

        var frank = try #require(Self.genesis.authenticators["frank"])
        let assertion = frank.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: [7])
        let unknown = try GovernanceEntry.approve(operationId: "nothing", user: "frank", assertion: assertion).entry()
        let refused = try await gateway.submit(unknown)
        #expect(refused.preview?.hasPrefix("refused: unknownOperation") == true, "\(refused.preview ?? "no preview")")
        let note = try await gateway.submit(try TestNote.entry("1"))
        #expect(note.preview?.hasPrefix("refused: unknownOperation") == true, "\(note.preview ?? "no preview")")
        #expect(try await gateway.health().queuedEntries == 2)
        let proposal = try #require(try await gateway.nextProposal(after: 0))
        #expect(proposal.entries == [unknown, try TestNote.entry("1")])
    }

    /// A proposal asserted by an authenticator that is not the proposer's, and one by someone
    /// who is no member: the gateway's committed state says no before anything is queued.
    @Test func anAssertionThatDoesNotVerifyIsRefusedBeforeQueuing() async throws {
        let gateway = try await gateway()
        var impostor = SoftwareAuthenticator.generate()
        for proposer in ["frank", "mallory"] {
            let p = GovernanceProposal(id: "add-\(proposer)-friend", proposer: proposer, change: .addUser(id: "ivan", roles: []))
            let forged = impostor.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: p.challenge(.propose, genesisDigest: Self.genesis.document.digest))
            let refused = try await refusal(gateway, try GovernanceEntry.propose(p, assertion: forged).entry())
            #expect(refused?.code == .unauthenticated, "\(proposer): \(String(describing: refused))")
        }
        #expect(try await gateway.health().queuedEntries == 0)
    }

    /// An unauthenticated sender forging a member's signature, naming a member nobody registered,
    /// or replaying an air-gapped signing entry that can never apply is refused before anything is
    /// queued: it cannot fill a member's queue or crowd out the offline signer's real answer
    /// (review helper-143 H1).
    @Test func forgedMemberEntriesAndStaleOfflineEntriesAreNotQueued() async throws {
        let gateway = try await gateway()
        let genesis = Self.genesis.document.digest
        let statement = OfflineAttestation(
            genesisDigest: genesis, membersDigest: OfflineAttestation.membersDigest(of: try identities.map { try $0.member() }), vault: "cold",
            scheme: .frostEd25519, epoch: 0, groupKey: [UInt8](repeating: 1, count: 32), offlineKey: [UInt8](repeating: 2, count: 32),
            offlineIdentity: [UInt8](repeating: 3, count: 32), request: String(repeating: "a", count: 64), decidedAt: 1, decidedHeight: 1,
            requestBlockHash: [], attempt: 0, attemptStartedAt: 1, message: [1, 2], signers: [], policyVersion: 1, policyDigest: [UInt8](repeating: 4, count: 32),
            outcome: .allowed, rules: ["r"], approvers: [], frozen: false, signed: false)
        // node-1's name, another key.
        let impostor = NodeIdentity(id: identities[0].id, signingKey: .init(), transportKey: .init())
        #expect(try await refusal(gateway, try statement.entry(signedBy: impostor, genesisDigest: genesis))?.code == .unauthenticated)
        // A member no one registered.
        let stranger = NodeIdentity(id: NodeID("node-9"), signingKey: .init(), transportKey: .init())
        #expect(try await refusal(gateway, try statement.entry(signedBy: stranger, genesisDigest: genesis))?.code == .unauthenticated)
        // A forged vault entry of an older kind, the same way.
        let timeout = VaultEntry.timeout(vault: "cold", epoch: 0, request: statement.request, attempt: 0)
        let forgedTimeout = try await refusal(gateway, try timeout.entry(signedBy: impostor, genesisDigest: genesis))
        #expect(forgedTimeout?.code == .unauthenticated, "\(String(describing: forgedTimeout))")
        // node-1's own signature on a statement no attempt waits for: it can never apply.
        let stale = try await refusal(gateway, try statement.entry(signedBy: identities[0], genesisDigest: genesis))
        #expect(stale?.code == .inadmissible && stale?.reason.contains("cannot apply later") == true, "\(String(describing: stale))")
        // An answer for a vault without an offline signer is nobody's.
        let answer = try OfflineResponse.make(
            commitments: FROST<Ed25519SHA512>.commit(additiveKey: .generate(), context: []).commitments,
            share: .init(share: .zero, packageDigest: [UInt8](repeating: 0, count: 32)),
            identity: .init(), genesisDigest: genesis, vault: "cold", scheme: .frostEd25519, request: statement.request, attempt: 0)
        #expect(try await refusal(gateway, try OfflineShareEntry.entry(answer))?.code == .unauthenticated)
        #expect(try await gateway.health().queuedEntries == 0)
    }

    @Test func theQueueIsBoundedPerSignerAndInTotalUntilAProposalTakesEntries() async throws {
        let gateway = try await gateway(GatewayQueueBounds(perSigner: 2, total: 3))
        for i in 0..<2 { _ = try await gateway.submit(try TestNote.entry("erin-\(i)")) }
        #expect(try await refusal(gateway, try TestNote.entry("erin-2"))?.code == .signerQueueFull)
        _ = try await gateway.submit(try TestNote.entry("frank-0", by: "frank"))
        #expect(try await refusal(gateway, try TestNote.entry("frank-1", by: "frank"))?.code == .queueFull)
        #expect(try await gateway.health().queuedEntries == 3)
        // The proposal takes the queued entries: there is room again.
        #expect(try await gateway.nextProposal(after: 0)?.entries.count == 3)
        _ = try await gateway.submit(try TestNote.entry("erin-2"))
        _ = try await gateway.submit(try TestNote.entry("erin-3"))
        #expect(try await refusal(gateway, try TestNote.entry("erin-4"))?.code == .signerQueueFull)
    }
}
