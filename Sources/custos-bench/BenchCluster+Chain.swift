import CustosClusterAPI
import CustosCore
import Foundation

extension BenchCluster {
    /// The local EVM chain a benchmark cluster runs, as `custos dev up` runs it.
    struct Chain: Sendable {
        let url: String
        let chainId: UInt64
    }

    /// Starts the local chain (`scripts/evm-devnet.py`, py-evm through eth-tester, mining each
    /// transaction as it comes) with `python` on a free port of 127.0.0.1 and waits (bounded:
    /// 60 s) for the line it prints once it listens.
    func startChain(python: String) async throws -> Chain {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw BenchError("no Python at \(python): the local chain needs the repository's .venv (make deps installs it)")
        }
        let ready = root.appendingPathComponent("evm-devnet.ready")
        try spawnProgram("evm-devnet", python, ["scripts/evm-devnet.py", "--port", "0"], output: ready)
        for _ in 0..<600 {
            if let text = try? String(contentsOf: ready, encoding: .utf8), let line = text.split(separator: "\n").first,
               let json = try? JSONParser().parse(Array(line.utf8)), case .integer(let port)? = json["port"],
               case .integer(let chainId)? = json["chainId"], chainId > 0 {
                return Chain(url: "http://127.0.0.1:\(port)", chainId: UInt64(chainId))
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("the local chain did not start; see \(root.path)/evm-devnet.log")
    }

    /// Deploys the demo USDC on the fresh chain and pays `address` 100 ETH and 1,000,000 USDC, as
    /// `custos dev up` does (`scripts/evm-demo-token.py`); the token's address.
    func fundDemoVault(_ chain: Chain, python: String, address: String) throws -> String {
        let out = try runProgram(python, ["scripts/evm-demo-token.py", "--rpc", chain.url, "--fund", address])
        guard let json = try? JSONParser().parse(Array(out)), let usdc = json["usdc"]?.stringValue else {
            throw BenchError("scripts/evm-demo-token.py printed no token address: \(String(decoding: out, as: UTF8.self).printable(limit: 200))")
        }
        return usdc
    }
}
