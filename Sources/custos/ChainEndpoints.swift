import CustosChainsRPC
import CustosClusterAPI
import CustosCore
import CustosPolicy
import CustosState
import Foundation

/// The JSON-RPC endpoints `--rpc [ENVIRONMENT:]CHAIN=URL` (repeatable) names. Fails with the
/// reason on a malformed option, a chain named twice for one environment or a URL the client
/// refuses; the message shows the endpoint redacted (no user-info or query), never the URL as
/// typed.
func chainEndpoints(_ options: [String]) -> ChainEndpoints {
    var endpoints: [ChainEndpoints.Endpoint] = []
    for option in options {
        let (environment, rest) = ChainEndpoints.environment(of: option)
        guard let equals = rest.firstIndex(of: "=") else {
            fail("--rpc is [ENVIRONMENT:]CHAIN=URL, e.g. --rpc production:ethereum=http://127.0.0.1:8545")
        }
        let chain = String(rest[..<equals])
        guard RegisteredAsset.isName(chain) else { fail("--rpc: \"\(chain.printable(limit: 32))\" is not a chain name (letters, digits, . _ -)") }
        let named = (environment.map { "\($0.rawValue):" } ?? "") + chain
        guard !endpoints.contains(where: { $0.chain == chain && $0.environment == environment }) else { fail("--rpc names \(named) twice") }
        guard let url = URL(string: String(rest[rest.index(after: equals)...])) else { fail("--rpc \(named)=…: not a URL") }
        do { endpoints.append(.init(environment: environment, chain: chain, client: try EVMRPCClient(endpoint: url))) } catch {
            fail("--rpc \(named)=…: \(error.reason)")
        }
    }
    return ChainEndpoints(endpoints)
}
