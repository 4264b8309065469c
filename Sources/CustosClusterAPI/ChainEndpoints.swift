import CustosChainsRPC
import CustosPolicy

/// The chain JSON-RPC endpoints a gateway or CLI was given (`--rpc [ENVIRONMENT:]CHAIN=URL`),
/// each for one chain and, when it names one, one environment: a vault's chains are read only
/// through the endpoints of its environment, so a staging endpoint never serves a production
/// vault. An endpoint naming no environment serves every environment for which its chain has no
/// endpoint of its own.
public struct ChainEndpoints: Sendable {
    public struct Endpoint: Sendable {
        public let environment: DeploymentEnvironment?
        public let chain: String
        public let client: EVMRPCClient

        public init(environment: DeploymentEnvironment?, chain: String, client: EVMRPCClient) {
            self.environment = environment
            self.chain = chain
            self.client = client
        }
    }

    public let endpoints: [Endpoint]

    public init(_ endpoints: [Endpoint] = []) { self.endpoints = endpoints }

    public var isEmpty: Bool { endpoints.isEmpty }

    /// The endpoint of each chain for vaults of `environment`, by chain name: the one naming
    /// `environment`, else the one naming none.
    public func clients(for environment: DeploymentEnvironment) -> [String: EVMRPCClient] {
        var clients: [String: EVMRPCClient] = [:]
        for e in endpoints where e.environment == nil { clients[e.chain] = e.client }
        for e in endpoints where e.environment == environment { clients[e.chain] = e.client }
        return clients
    }

    /// The environment an `--rpc` value names before its first `:` (`production:ethereum=URL`),
    /// and the rest; no environment when the text before the first `:` names none, so a bare
    /// `URL` or `CHAIN=URL` stays whole.
    public static func environment(of option: String) -> (environment: DeploymentEnvironment?, rest: Substring) {
        guard let colon = option.firstIndex(of: ":"), let environment = DeploymentEnvironment(rawValue: String(option[..<colon])) else {
            return (nil, Substring(option))
        }
        return (environment, option[option.index(after: colon)...])
    }
}
