import CustosIdentity
import CustosLedger
import CustosState
import CustosTestSupport
import Foundation

/// A development genesis document for in-process tests: the example policy (or another), and the demo
/// organisation's admins with software credentials (kept, so tests can make assertions).
struct TestGenesis {
    static let rpId = "localhost"
    static let origin = "http://localhost:8080"
    static let people: [(String, [String])] = [
        ("erin", ["admin", "security-officer"]), ("frank", ["admin", "executive"]), ("grace", ["admin", "compliance"]),
        ("heidi", ["security-officer"]), ("laura", ["security-officer"]),
    ]

    var authenticators: [String: SoftwareAuthenticator] = [:]
    let document: GenesisDocument

    init(clusterName: String = "unit", policyYAML: String? = nil) throws {
        let yaml = try policyYAML ?? String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml"),
                                            encoding: .utf8)
        var admins: [GenesisDocument.Admin] = []
        for (user, roles) in Self.people {
            let a = SoftwareAuthenticator.generate()
            authenticators[user] = a
            admins.append(.init(id: user, roles: roles, registration: a.register(
                relyingPartyId: Self.rpId, origin: Self.origin,
                challenge: GenesisDocument.registrationChallenge(clusterName: clusterName, user: user))))
        }
        document = GenesisDocument(clusterName: clusterName, relyingPartyId: Self.rpId, allowedOrigins: [Self.origin],
                                   mode: .development, admins: admins, policyYAML: yaml)
    }

    /// A cluster of `identities` starting from this document.
    func configuration(_ identities: [NodeIdentity], genesisTimestamp: UInt64) throws -> ClusterConfiguration {
        try ClusterConfiguration(name: document.clusterName, members: identities.map { try $0.member() },
                                 genesisTimestamp: genesisTimestamp, genesisDocument: document.encoded)
    }
}
