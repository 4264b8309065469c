import CustosChainsRPC
import CustosClusterAPI
import CustosPolicy
import Foundation
import Testing

/// Chain endpoints per environment (issue 14 item 5): a vault is read only through an endpoint
/// of its own environment, or one naming none; `--rpc` values name an environment before their
/// first `:` only when that text is one.
@Suite struct ChainEndpointsTests {
    static func client(_ port: Int) throws -> EVMRPCClient { try EVMRPCClient(endpoint: URL(string: "http://127.0.0.1:\(port)")!) }

    @Test func aVaultIsReadThroughItsEnvironmentsEndpointOnly() throws {
        let endpoints = ChainEndpoints([
            .init(environment: nil, chain: "ethereum", client: try Self.client(1)),
            .init(environment: .production, chain: "ethereum", client: try Self.client(2)),
            .init(environment: .staging, chain: "polygon", client: try Self.client(3)),
        ])
        let production = endpoints.clients(for: .production)
        #expect(production.keys.sorted() == ["ethereum"])
        #expect(production["ethereum"]?.redactedEndpoint == "http://127.0.0.1:2")
        let staging = endpoints.clients(for: .staging)
        #expect(staging.keys.sorted() == ["ethereum", "polygon"])
        #expect(staging["ethereum"]?.redactedEndpoint == "http://127.0.0.1:1")
        #expect(endpoints.clients(for: .development)["polygon"] == nil)
        // Only staging has an endpoint here: a production vault has none.
        let stagingOnly = ChainEndpoints([.init(environment: .staging, chain: "ethereum", client: try Self.client(3))])
        #expect(stagingOnly.clients(for: .production).isEmpty)
    }

    @Test(arguments: [
        ("production:ethereum=http://127.0.0.1:8545", DeploymentEnvironment.production, "ethereum=http://127.0.0.1:8545"),
        ("staging:http://127.0.0.1:8545", .staging, "http://127.0.0.1:8545"),
        ("ethereum=http://127.0.0.1:8545", nil, "ethereum=http://127.0.0.1:8545"),
        ("http://127.0.0.1:8545", nil, "http://127.0.0.1:8545"),
        ("prod:ethereum=http://127.0.0.1:8545", nil, "prod:ethereum=http://127.0.0.1:8545"),
    ] as [(String, DeploymentEnvironment?, String)])
    func anOptionNamesAnEnvironmentOnlyWhenItsPrefixIsOne(_ option: String, _ environment: DeploymentEnvironment?, _ rest: String) {
        let parsed = ChainEndpoints.environment(of: option)
        #expect(parsed.environment == environment)
        #expect(parsed.rest == rest)
    }
}
