import CustosClusterAPI
import CustosCore
import CustosTestSupport
import Foundation
import Testing

/// Vault balances through the real processes, on the suite's shared cluster: `custos vault
/// balances` reads the local chain through `--rpc` itself, or asks the gateway, which reads it
/// through its own `--rpc` endpoint and says so; both see a payment into the vault's address.
extension TransactionLoopbackTests {
    @Test func vaultBalancesAreReadThroughTheChainsEndpointBeforeAndAfterAPayment() async throws {
        try await withCluster { f in
            let rpc = ["--rpc", "devnet=\(f.chain.url.absoluteString)"]
            func balances(_ extra: [String]) async throws -> VaultBalancesView {
                let out = try await LocalCluster.run(f.cluster.binary, ["vault", "balances", "--gateway", f.cluster.baseURL, "--json", "hot-trading"] + extra)
                return try JSONDecoder().decode(VaultBalancesView.self, from: Data(out.utf8))
            }
            func eth(_ v: VaultBalancesView) throws -> (amount: String, units: String) {
                let account = try #require(v.accounts.first { $0.chain == "devnet" && $0.path == "m" }, "\(v)")
                #expect(account.address == f.vaultAddress && account.error == nil && account.block != nil)
                let b = try #require(account.balances.first, "\(account)")
                #expect(b.symbol == "ETH" && b.contract == nil && b.decimals == 18 && b.error == nil, "\(b)")
                return (try #require(b.amount), try #require(b.units))
            }
            let mine = try await balances(rpc)
            #expect(mine.source == "read by this command, at the addresses and with the tokens the gateway served, from devnet at \(f.chain.url.scheme!)://\(f.chain.url.host!):\(f.chain.url.port!); not verified by any node",
                    "\(mine.source)")
            #expect(mine.unread == ["localnet"], "localnet has a registered asset and no endpoint here")
            // The fixture's USDC is a token deployed on the local chain (Tests/python/evm_token.py):
            // its balanceOf is read with the registered decimals.
            let usdc = try #require(mine.accounts.first { $0.chain == "devnet" }?.balances.first { $0.symbol == "USDC" })
            #expect(usdc.error == nil && usdc.amount != nil && usdc.decimals == 6
                    && usdc.contract?.lowercased() == TransactionFixture.usdc.lowercased(), "\(usdc)")
            let before = try eth(mine)
            // eth-tester's fifth account (private key 0x…05) pays the vault 0.25 ETH; the chain mines it at once.
            try await f.send(.init(chainId: f.chainId, to: String(f.vaultAddress.dropFirst(2)), value: "250000000000000000",
                                   key: String(repeating: "0", count: 63) + "5"))
            let after = try eth(try await balances(rpc))
            #expect(UInt64(after.units)! - UInt64(before.units)! == 250_000_000_000_000_000, "\(before) → \(after)")
            // The gateway reads the same through its own endpoint, and says it is its reading.
            let gateway = try await balances([])
            #expect(gateway.source.hasPrefix("read by the gateway from devnet at http://127.0.0.1:") && gateway.source.hasSuffix("not verified by any node"))
            #expect(try eth(gateway).units == after.units)
            // For people: one aligned table under the line that says who read it.
            let table = try await LocalCluster.run(f.cluster.binary, ["vault", "balances", "--gateway", f.cluster.baseURL, "hot-trading"] + rpc)
            let lines = table.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("vault hot-trading: balances read by this command, at the addresses and with the tokens the gateway served, from devnet at") == true, "\(table)")
            let header = try #require(lines.first { $0.hasPrefix("CHAIN") }, "\(table)")
            #expect(header.split(separator: " ", omittingEmptySubsequences: true) == ["CHAIN", "ADDRESS", "PATH", "ASSET", "BALANCE", "READ", "AT"])
            let row = try #require(lines.first { $0.hasPrefix("devnet") && $0.contains(" ETH ") }, "\(table)")
            #expect(row.contains(f.vaultAddress) && row.contains(" \(after.amount) "), "\(table)")
            // Every column starts where its header does.
            let balanceColumn = try #require(header.range(of: "BALANCE")).lowerBound.utf16Offset(in: header)
            #expect(row.utf16.count > balanceColumn && Array(row.utf16)[balanceColumn - 1] == 32 && Array(row.utf16)[balanceColumn] != 32, "\(table)")
            #expect(lines.last == "not read (no endpoint): localnet", "\(table)")
            // A malformed endpoint is refused with the reason, the URL's credentials never repeated.
            // An endpoint of another environment is never read for the vault: refused, saying so.
            for (option, reason) in [("devnet", "--rpc is [ENVIRONMENT:]CHAIN=URL"), ("dev net=http://127.0.0.1:1", "is not a chain name"),
                                     ("staging:devnet=http://127.0.0.1:1", "vault hot-trading is a development vault: give an endpoint of its environment"),
                                     ("devnet=ftp://user:secret@127.0.0.1/", "endpoint must be an http or https URL with a host")] {
                let refused = try await CustosExecutable.run(["vault", "balances", "--gateway", f.cluster.baseURL, "--rpc", option, "hot-trading"])
                #expect(refused.status != 0 && refused.stderr.contains(reason) && !refused.stderr.contains("secret"), "\(option): \(refused.stderr)")
            }
        }
    }
}
