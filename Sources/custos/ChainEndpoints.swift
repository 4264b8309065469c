import CustosChainsRPC
import CustosCore
import CustosState
import Foundation

/// The JSON-RPC endpoints `--rpc CHAIN=URL` (repeatable) names, by chain. Fails with the reason
/// on a malformed option, a chain named twice or a URL the client refuses; the message shows the
/// endpoint redacted (no user-info or query), never the URL as typed.
func chainEndpoints(_ options: [String]) -> [String: EVMRPCClient] {
    var endpoints: [String: EVMRPCClient] = [:]
    for option in options {
        guard let equals = option.firstIndex(of: "=") else { fail("--rpc is CHAIN=URL, e.g. --rpc ethereum=http://127.0.0.1:8545") }
        let chain = String(option[..<equals])
        guard RegisteredAsset.isName(chain) else { fail("--rpc: \"\(chain.printable(limit: 32))\" is not a chain name (letters, digits, . _ -)") }
        guard endpoints[chain] == nil else { fail("--rpc names \(chain) twice") }
        guard let url = URL(string: String(option[option.index(after: equals)...])) else { fail("--rpc \(chain)=…: not a URL") }
        do { endpoints[chain] = try EVMRPCClient(endpoint: url) } catch { fail("--rpc \(chain)=…: \(error.reason)") }
    }
    return endpoints
}
