import CustosChains
import CustosCore

extension ReplicatedState {
    /// The token contracts registered on `chain`.
    func tokenContracts(chain: String) -> Set<EVM.Address> {
        Set(assets.values.compactMap { $0.chain == chain ? $0.contract.flatMap { try? EVM.Address(hex: $0) } : nil })
    }

    /// Registers an asset (the executed `register-asset`). Refuses a chain name or symbol that is
    /// not 1 to 32 bytes of letters, digits, `-`, `_`, `.`; a chain id of 0; more than
    /// `RegisteredAsset.maximumDecimals` decimals; a contract that is not an EVM address; a
    /// symbol already registered on that chain; a chain id other than the one the chain's assets
    /// already carry, or already carried by another chain name; a second native asset on one
    /// chain; and a contract already registered on that chain under another symbol.
    mutating func registerAsset(_ asset: RegisteredAsset) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidChange, reason) }
        guard RegisteredAsset.isName(asset.chain) else { throw invalid("a chain name has 1 to 32 letters, digits, -, _ or .") }
        guard RegisteredAsset.isName(asset.symbol) else { throw invalid("a symbol has 1 to 32 letters, digits, -, _ or .") }
        guard asset.chainId > 0 else { throw invalid("chain id 0 names no chain") }
        guard asset.decimals <= RegisteredAsset.maximumDecimals else {
            throw invalid("an asset has at most \(RegisteredAsset.maximumDecimals) decimals, not \(asset.decimals)")
        }
        var contract: String? = nil
        if let text = asset.contract {
            do { contract = try EVM.Address(hex: text).checksummed } catch {
                throw invalid("the contract of \(asset.symbol) is not an EVM address: \(error.reason)")
            }
        }
        guard assets[asset.key] == nil else { throw invalid("\(asset.symbol) is already registered on \(asset.chain)") }
        for other in assets.keys.sorted().map({ assets[$0]! }) {
            if other.chain == asset.chain, other.chainId != asset.chainId {
                throw invalid("chain \(asset.chain) has chain id \(other.chainId), not \(asset.chainId)")
            }
            if other.chain != asset.chain, other.chainId == asset.chainId {
                throw invalid("chain id \(asset.chainId) is chain \(other.chain)'s")
            }
            guard other.chain == asset.chain else { continue }
            if contract == nil, other.contract == nil { throw invalid("\(asset.chain) already has a native asset, \(other.symbol)") }
            if let contract, other.contract == contract { throw invalid("\(contract) is already registered on \(asset.chain) as \(other.symbol)") }
        }
        assets[asset.key] = RegisteredAsset(chain: asset.chain, chainId: asset.chainId, symbol: asset.symbol, contract: contract,
                                            decimals: asset.decimals)
    }

    /// Removes a registered asset (the executed `remove-asset`): requests submitted from then on
    /// cannot name it; requests already recorded keep what they resolved.
    mutating func removeAsset(chain: String, symbol: String) throws(GovernanceError) {
        guard assets.removeValue(forKey: RegisteredAsset.key(chain: chain, symbol: symbol)) != nil else {
            throw GovernanceError(.invalidChange, "no asset \(symbol.printable(limit: 32)) is registered on \(chain.printable(limit: 32))")
        }
    }

    /// The registered assets of `chain`, by symbol.
    public func assets(on chain: String) -> [RegisteredAsset] {
        assets.values.filter { $0.chain == chain }.sorted { $0.symbol < $1.symbol }
    }

    /// The EIP-155 chain id of `chain`, as its registered assets carry it; nil for a chain with none.
    public func chainId(of chain: String) -> UInt64? {
        assets.values.first { $0.chain == chain }?.chainId
    }
}
