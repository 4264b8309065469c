import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import Foundation
import NIOCore
import NIOFoundationCompat

extension DevCommand.Up {
    /// The local EVM chain `dev up` runs (`scripts/evm-devnet.py`, py-evm through eth-tester on
    /// 127.0.0.1, from the repository's `.venv`) and what it put there: the chain's JSON-RPC URL
    /// and id, and the demo USDC token's address.
    struct DevChain {
        static let name = DevelopmentChain.name
        var url: String
        var chainId: UInt64
        var usdc: String? = nil
        /// Whether the cluster registers `usdc` on this chain (a cluster made before `dev up` did so does not).
        var registered = false
    }

    /// Whether the committed state registers `chain.usdc` on the local chain, as the gateway shows it.
    static func registersDemoToken(_ gateway: String, chain: DevChain) async -> Bool {
        guard let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "\(gateway)/v1/assets"), timeout: .seconds(2)),
              let body = try? await response.body.collect(upTo: 4 << 20),
              let assets = try? JSONDecoder().decode([AssetView].self, from: Data(buffer: body))
        else { return false }
        return assets.contains { $0.chain == DevChain.name && $0.contract?.lowercased() == chain.usdc?.lowercased() }
    }

    /// Starts the local chain on 127.0.0.1:`port` (0: a free one) and waits (bounded) for the
    /// line it prints when listening. It keeps its data across restarts (`--journal`, in the
    /// cluster's folder): the nonces the cluster's state tracks stay those of the chain, and a
    /// transaction signed before a restart is never taken again (review L4: a fresh chain with
    /// the same chain id would accept every old signature).
    static func startChain(supervisor: Supervisor, layout: DevLayout, python: String, port: Int) async -> DevChain? {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            say("no Python at \(python): run `make run` (it installs the .venv with the local chain) or pass --python")
            return nil
        }
        let ready = layout.path("logs", "evm-devnet.ready")
        try? FileManager.default.removeItem(atPath: ready)
        do { try supervisor.startProgram("evm-devnet", python, ["scripts/evm-devnet.py", "--port", "\(port)", "--journal", journal(layout)], output: ready) } catch {
            say("cannot start the local chain: \(error)")
            return nil
        }
        for _ in 0..<600 {
            if let text = try? String(contentsOfFile: ready, encoding: .utf8), let line = text.split(separator: "\n").first,
               let json = try? JSONParser().parse(Array(line.utf8)), case .integer(let bound)? = json["port"], case .integer(let chainId)? = json["chainId"],
               chainId > 0 {
                return DevChain(url: "http://127.0.0.1:\(bound)", chainId: UInt64(chainId))
            }
            if !supervisor.allRunning { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        say("the local chain did not start; see \(layout.path("logs", "evm-devnet.log"))")
        return nil
    }

    /// The file in which the local chain keeps its mined transactions across restarts.
    static func journal(_ layout: DevLayout) -> String { layout.path("evm-devnet.journal") }

    /// The demo executor bot's key file (registered with the `executor` role when the cluster was created).
    static func executorKey(_ layout: DevLayout) -> String { layout.credential("executor-bot.bot") }

    /// Registers the demo executor bot through governance (erin proposes, frank and grace approve):
    /// it proposes transaction parameters, broadcasts and records receipts; nodes check all it says.
    static func addExecutorBot(supervisor: Supervisor, gateway: String, layout: DevLayout) async -> Bool {
        say("registering the demo executor bot through governance (erin proposes, frank and grace approve)…")
        return await govern("add-executor-bot", ["add-bot", "executor-bot", "executor", "--environment", "development"], approvers: ["frank", "grace"],
                            supervisor: supervisor, gateway: gateway, layout: layout)
    }

    /// Starts `custos executor` for the local chain with the demo executor bot's key, if the
    /// cluster has one (a cluster made before `dev up` registered it has none); whether it runs.
    static func startExecutor(supervisor: Supervisor, gateway: String, layout: DevLayout, chain: DevChain) -> Bool {
        let key = executorKey(layout)
        guard FileManager.default.fileExists(atPath: key) else { return false }
        do {
            try supervisor.start("executor", ["executor", "--gateway", gateway, "--executor", key, "--chain", DevChain.name, "--rpc", chain.url])
            return true
        } catch {
            say("cannot start the executor: \(error)")
            return false
        }
    }

    /// Deploys the demo USDC on the fresh chain and pays `address` (the demo vault's first EVM
    /// address) 100 ETH and 1,000,000 USDC (`scripts/evm-demo-token.py`); the token's address, the
    /// same on every fresh chain, or nil (said) on failure.
    static func fundDemoVault(supervisor: Supervisor, chain: DevChain, python: String, address: String) -> String? {
        say("deploying the demo USDC on the local chain and funding \(address) with 100 ETH and 1,000,000 USDC…")
        guard let out = supervisor.runProgramCapturing(python, ["scripts/evm-demo-token.py", "--rpc", chain.url, "--fund", address]),
              let json = try? JSONParser().parse(Array(out.utf8)), let usdc = json["usdc"]?.stringValue
        else {
            say("the demo token was not deployed or the vault not funded; see the output above")
            return nil
        }
        return usdc
    }

    /// Registers ETH and the demo USDC on the local chain through governance, as every asset is
    /// (approved like a policy change: erin proposes, frank, grace and heidi approve).
    static func registerDemoAssets(supervisor: Supervisor, gateway: String, layout: DevLayout, chain: DevChain, usdc: String) async -> Bool {
        say("registering ETH and USDC on the local chain (\(DevChain.name), chain id \(chain.chainId)) through governance…")
        for (id, symbol, contract, decimals) in [("register-devnet-eth", "ETH", "native", "18"), ("register-devnet-usdc", "USDC", usdc, "6")] {
            guard await govern(id, ["register-asset", DevChain.name, "\(chain.chainId)", symbol, contract, decimals], approvers: ["frank", "grace", "heidi"],
                               supervisor: supervisor, gateway: gateway, layout: layout)
            else { return false }
        }
        return true
    }

    /// One governance operation of the demo organisation: erin proposes `change` as `id`, each of
    /// `approvers` approves once the previous approval is committed; true once it executed.
    static func govern(_ id: String, _ change: [String], approvers: [String], supervisor: Supervisor, gateway: String, layout: DevLayout) async -> Bool {
        guard supervisor.runToEnd(["op", "propose", "--gateway", gateway, "--as", layout.credential("erin"), "--id", id] + change) else { return false }
        guard await waitForOperation(gateway, id, status: nil) else { return false }
        for (count, approver) in approvers.enumerated() {
            guard supervisor.runToEnd(["op", "approve", "--gateway", gateway, "--as", layout.credential(approver), "--yes", id]) else { return false }
            // The next approval reads the committed operation again.
            guard await waitForOperation(gateway, id, status: nil, approvals: count + 1) else { return false }
        }
        return await waitForOperation(gateway, id, status: "executed")
    }
}
