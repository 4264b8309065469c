import ArgumentParser
import CustosClusterAPI
import CustosCore
import CustosPolicy
import CustosState
import Foundation

extension VaultCommand {
    /// `custos vault balances VAULT`: the vault's native and registered-token balances on every
    /// chain it has EVM addresses on, read through the `--rpc` endpoints given here, or, with
    /// none, asked of the gateway (`GET /v1/vaults/{id}/balances`, read through the gateway's
    /// own endpoints). Either way, no node verified them, and the output says who read them.
    struct Balances: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a vault's balances (native and registered tokens) read through RPC endpoints.",
            discussion: "With --rpc CHAIN=URL (repeatable) this command reads the chains itself; without, it asks the gateway, which reads through its own endpoints (custos gateway run --rpc). No node verifies balances.")
        @OptionGroup var connection: OperationCommand.Connection
        @Option(help: "A chain's JSON-RPC endpoint, [ENVIRONMENT:]CHAIN=URL (the chain named as the asset registry names it; only endpoints of the vault's environment, or naming none, are read); repeatable.") var rpc: [String] = []
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "The vault id.") var id: String

        func run() async throws {
            let call = GatewayCall(connection.gateway)
            let view: VaultBalancesView
            if rpc.isEmpty {
                let path = "/v1/vaults/\(percentEncoded(id))/balances"
                if json { print(String(decoding: try await call.getRaw(path), as: UTF8.self)); return }
                view = try await call.get(path)
            } else {
                let vault: VaultView = try await call.get("/v1/vaults/\(percentEncoded(id))")
                guard let environment = Vault.Environment(rawValue: vault.environment) else { fail("vault \(vault.id) has no known environment") }
                let endpoints = chainEndpoints(rpc).clients(for: environment)
                guard !endpoints.isEmpty else {
                    fail("vault \(vault.id) is a \(vault.environment) vault: give an endpoint of its environment, --rpc \(vault.environment):CHAIN=URL (or CHAIN=URL)")
                }
                let assets: [AssetView] = try await call.get("/v1/assets")
                view = await VaultBalancesView.read(vault: vault, assets: assets, endpoints: endpoints, reader: Self.reader)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    print(String(decoding: try encoder.encode(view), as: UTF8.self))
                    return
                }
            }
            Self.show(view)
        }

        /// Who read the balances with `--rpc`: this command, through its own endpoints — but the
        /// vault's addresses and the registered tokens (contracts, decimals) are the gateway's
        /// word (review helper-89 M2), and the label says so.
        static let reader = "this command, at the addresses and with the tokens the gateway served,"

        /// The balances as one aligned table, one row per address and asset, after the line
        /// that says who read them; then the chains not read and why.
        static func show(_ v: VaultBalancesView) {
            print("vault \(printable(v.vault)): balances \(printable(v.source))")
            var rows: [[String]] = []
            for a in v.accounts {
                let account = a.path + (a.label.map { " (\(printable($0)))" } ?? "")
                guard a.error == nil else {
                    rows.append([printable(a.chain), a.address, account, "-", "-", "unreadable: " + printable(a.error ?? "")])
                    continue
                }
                for b in a.balances {
                    rows.append([printable(a.chain), a.address, account, printable(b.symbol), b.amount ?? "-",
                                 b.error.map { "unreadable: " + printable($0) } ?? "block \(a.block.map(String.init) ?? "?")"])
                }
            }
            if rows.isEmpty {
                print(v.accounts.isEmpty ? "no EVM address of this vault is on a chain read here" : "no balances")
            } else {
                printTable(header: ["CHAIN", "ADDRESS", "PATH", "ASSET", "BALANCE", "READ AT"], rows: rows)
            }
            if !v.unread.isEmpty { print("not read (no endpoint): \(v.unread.map(printable).joined(separator: ", "))") }
        }
    }
}
