import BigInt
import CustosChains
import CustosChainsRPC
import CustosCore
import CustosState
import Foundation

extension VaultBalancesView {
    /// Reads the balances of `vault`'s EVM addresses on every chain of `assets` that `endpoints`
    /// (by chain name) has an endpoint for, chains in name order, each at the endpoint's latest
    /// block read once. `reader` names who reads (the CLI, the gateway) for `source`. Never throws:
    /// an endpoint or asset that cannot be read is reported in place, so one bad endpoint does
    /// not hide the others.
    public static func read(vault: VaultView, assets: [AssetView], endpoints: [String: EVMRPCClient], reader: String) async -> VaultBalancesView {
        let evm = vault.addresses.filter { $0.chain == VaultAddress.Chain.evm.rawValue }
        let chains = Set(assets.map(\.chain)).sorted()
        var accounts: [Account] = []
        var unread: [String] = []
        for chain in evm.isEmpty ? [] : chains {
            let onChain = assets.filter { $0.chain == chain }.sorted { ($0.contract != nil ? 1 : 0, $0.symbol) < ($1.contract != nil ? 1 : 0, $1.symbol) }
            let chainId = onChain[0].chainId
            guard let client = endpoints[chain] else {
                unread.append(chain)
                continue
            }
            let block: UInt64
            do { block = try await client.blockNumber() } catch {
                accounts += evm.map { Account(chain: chain, chainId: chainId, address: $0.address, path: $0.path, label: $0.label, block: nil, balances: [],
                                              error: "\(error)") }
                continue
            }
            for address in evm {
                var balances: [Balance] = []
                for asset in onChain {
                    balances.append(await balance(of: address.address, asset: asset, client: client, block: block))
                }
                accounts.append(Account(chain: chain, chainId: chainId, address: address.address, path: address.path, label: address.label, block: block,
                                        balances: balances, error: nil))
            }
        }
        let from = endpoints.keys.sorted().compactMap { chain in endpoints[chain].map { "\(chain) at \($0.redactedEndpoint)" } }
        let source = "read by \(reader) from " + (from.isEmpty ? "no endpoint" : from.joined(separator: ", ")) + "; not verified by any node"
        return VaultBalancesView(vault: vault.id, source: source, accounts: accounts, unread: unread)
    }

    /// `address`'s balance of `asset` at `block`: `eth_getBalance` for the native asset,
    /// `balanceOf(address)` through `eth_call` for a token (a 32-byte answer, else an error
    /// naming the contract).
    static func balance(of address: String, asset: AssetView, client: EVMRPCClient, block: UInt64) async -> Balance {
        var b = Balance(symbol: asset.symbol, contract: asset.contract, decimals: asset.decimals, amount: nil, units: nil, error: nil)
        let units: BigUInt
        do {
            let holder = try EVM.Address(hex: address)
            if let contract = asset.contract {
                let token = try EVM.Address(hex: contract)
                let answer = try await client.call(to: token, data: try EVM.ABI.encodeCall("balanceOf(address)", [.address(holder)]), block: .number(block))
                guard answer.count == 32 else {
                    b.error = "balanceOf at \(token.checksummed) answered \(answer.count) bytes, not 32 (is a token deployed there?)"
                    return b
                }
                units = BigUInt(Data(answer))
            } else {
                units = try await client.balance(holder, block: .number(block))
            }
        } catch {
            b.error = (error as? EVMRPCError)?.description ?? (error as? EVMError)?.reason ?? "\(error)"
            return b
        }
        b.units = String(units)
        b.amount = String(EVM.AmountFormatter.format(units, decimals: Int(asset.decimals)).filter { $0 != "," })
        return b
    }
}
