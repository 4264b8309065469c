import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import Foundation
import Logging
import Testing
@testable import CustosGateway

/// A gateway without nodes whose blocks the test certifies itself with three of the four
/// members' votes: what it commits is what a cluster would have committed, with real
/// certificates, so its log exports and verifies like a node's.
struct CommittedGateway {
    let identities: [NodeIdentity] = (1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init(), transportKey: .init()) }
    var genesis: TestGenesis
    let configuration: ClusterConfiguration
    let gateway: Gateway

    /// Starts from `policyYAML`, by default `ConsoleRequestFixture.policy()` (people's transfers
    /// held for admins); `faults` as the gateway's (`queuesUnchecked` lets a forged entry into a block).
    init(policyYAML: String? = nil, faults: GatewayFaultInjection = .none) async throws {
        genesis = try TestGenesis(policyYAML: try policyYAML ?? ConsoleRequestFixture.policy())
        configuration = try genesis.configuration(identities, genesisTimestamp: 1_000)
        gateway = try await Gateway(configuration: configuration, store: try SQLiteGatewayStore.inMemory(), logger: Logger(label: "test"),
                                    faults: faults)
    }

    static func now() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }

    /// Queues `entry` and certifies the block that carries it.
    func commit(_ entry: Entry) async throws {
        _ = try await gateway.submit(entry)
        try await certify()
    }

    /// Certifies the block the gateway proposes next (the entries queued so far).
    func certify() async throws {
        let height = await gateway.governanceState.height
        let block = try #require(try await gateway.nextProposal(after: height))
        for identity in identities.prefix(3) {
            _ = try await gateway.receive(Vote(signing: block, genesisDigest: configuration.genesisDigest, identity: identity))
        }
        #expect(await gateway.governanceState.height == height + 1)
    }

    /// heidi's transfer of `amount` USDC to `destination`, committed; its id.
    mutating func transfer(_ amount: String, to destination: String = ConsoleRequestFixture.kraken) async throws -> String {
        let cluster = await gateway.governanceState.genesisDigest
        let (entry, id) = try ConsoleRequestFixture.submission(
            ConsoleRequestFixture.transfer(by: "heidi", amount: amount, to: destination), by: "heidi", genesis: cluster,
            timestamp: Self.now(), authenticator: &genesis.authenticators["heidi"]!, rpId: TestGenesis.rpId, origin: TestGenesis.origin)
        try await commit(entry)
        return id
    }

    /// `user`'s approval of request `id`, committed.
    mutating func approve(_ id: String, by user: String) async throws {
        let cluster = await gateway.governanceState.genesisDigest
        let challenge = try #require(RequestDecisionEntry.challenge(.approve, requestId: id, genesisDigest: cluster))
        let assertion = genesis.authenticators[user]!.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: challenge)
        try await commit(try RequestDecisionEntry(.approve, requestId: id, user: user, assertion: assertion).entry())
    }
}
