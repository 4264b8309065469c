import BigInt
import CustosChains
import CustosCore
import CustosPolicy

extension TransactionRequest {
    /// Resolves the request against the state at its block, as every node does alike: the
    /// transaction it will sign (`PlannedTransaction`, awaiting its parameters) and the policy's
    /// view of it. Refuses, with the reason, a vault that is unknown, not active or of a scheme
    /// other than ECDSA on secp256k1 (EVM chains need it); a chain with no registered asset; an
    /// asset not registered on the chain (a contract call's value needs the chain's native
    /// asset); a `from` that is neither a label nor an address of the vault's EVM addresses; a
    /// `to` that is not an EVM address; an amount with more fractional digits than the asset's
    /// decimals, or too large for the policy's decimals; a zero transfer.
    ///
    /// The policy's view: a transfer is kind `transfer` of `asset` and `amount` (in the asset's
    /// units) to the recipient; a contract call is kind `contract_call` to the target, with the
    /// native value as amount and the calldata decoded by `EVM.IntentDecoder` (with the chain's
    /// registered tokens) into the function and its named arguments. A call that moves tokens
    /// (an ERC-20 transfer, transferFrom, approve or increaseAllowance, or a multiSend of such
    /// calls in one token) is charged with the token and amount it moves and its recipient or
    /// spender as destination (`EVM.Action.charge`), and is refused if it also carries native
    /// value; a call not positively decoded as moving nothing beyond its native value is unpriced. Counterparty and tags follow from the
    /// policy's address book when it is evaluated. A deployment is kind `deploy` with no
    /// destination, its native value as amount, and as call `contract.create` with what it
    /// names of the build (`ContractDeployment.policyArguments`): a policy matches it only
    /// by a rule naming kind `deploy`. Its plan creates a contract (`to` nil) with the init code
    /// and arguments as data; the contract's address is fixed when the nonce is.
    func resolve(requestId: String, vaults: [String: Vault], assets: [String: RegisteredAsset]) throws(GovernanceError)
        -> (plan: PlannedTransaction, policy: PolicyRequest)
    {
        guard let vault = vaults[vault] else { throw Self.invalid("no vault \"\(vault.printable(limit: 64))\"") }
        guard vault.status == .active else { throw Self.invalid("vault \(vault.id) is \(vault.status.rawValue), not active") }
        guard vault.scheme == .ecdsaSecp256k1 else {
            throw Self.invalid("vault \(vault.id) is \(vault.scheme.rawValue); transactions on \(chain.printable(limit: 32)) are signed by ecdsa-secp256k1 vaults")
        }
        let onChain = assets.values.filter { $0.chain == chain }.sorted { $0.symbol < $1.symbol }
        guard let chainId = onChain.first?.chainId else {
            throw Self.invalid("chain \"\(chain.printable(limit: 32))\" has no registered asset (op propose register-asset)")
        }
        let (from, path) = try source(of: vault)
        var to: EVM.Address? = nil
        if kind != .deploy {
            do { to = try EVM.Address(hex: self.to) } catch { throw Self.invalid("to is not an EVM address: \(error.reason)") }
        }
        let asset: RegisteredAsset
        switch kind {
        case .transfer:
            guard let registered = assets[RegisteredAsset.key(chain: chain, symbol: self.asset)] else {
                throw Self.invalid("asset \(self.asset.printable(limit: 32)) is not registered on \(chain)")
            }
            asset = registered
        case .contractCall, .deploy:
            guard let native = onChain.first(where: { $0.contract == nil }) else {
                throw Self.invalid("chain \(chain) has no registered native asset to carry a \(kind == .deploy ? "deployment" : "contract call")'s value")
            }
            asset = native
        }
        let (units, amount) = try Self.amount(self.amount, decimals: asset.decimals, of: asset.symbol)
        let policyKind: PolicyRequest.Kind = switch kind {
        case .transfer: .transfer
        case .contractCall: .contractCall
        case .deploy: .deploy
        }
        var policy = PolicyRequest(
            id: id, kind: policyKind, initiator: initiator, vault: vault.id, account: from.checksummed,
            chain: chain, asset: asset.symbol, amount: amount, destination: to?.checksummed ?? "", memo: memo)
        var plan: PlannedTransaction
        switch (kind, asset.contract) {
        case (.deploy, _):
            let deployment = self.deployment!
            policy.call = PolicyRequest.ContractCall(target: "", function: "contract.create", arguments: deployment.policyArguments)
            plan = PlannedTransaction(requestId: requestId, vault: vault.id, chain: chain, chainId: chainId, from: from, path: path, to: nil,
                                      value: units, data: deployment.creationData, deployment: deployment, status: .awaitingParameters)
        case (.transfer, nil):
            let to = to!
            guard units > 0 else { throw Self.invalid("amount is zero") }
            plan = PlannedTransaction(requestId: requestId, vault: vault.id, chain: chain, chainId: chainId, from: from, path: path, to: to,
                                      value: units, data: [], status: .awaitingParameters)
        case (.transfer, let contract?):
            let to = to!
            guard units > 0 else { throw Self.invalid("amount is zero") }
            let token = try! EVM.Address(hex: contract)
            let data: [UInt8]
            do { data = try EVM.ABI.encodeCall("transfer(address,uint256)", [.address(to), .uint(units)]) } catch {
                throw Self.invalid("amount does not encode: \(error.reason)")
            }
            plan = PlannedTransaction(requestId: requestId, vault: vault.id, chain: chain, chainId: chainId, from: from, path: path,
                                      to: token, value: 0, data: data, status: .awaitingParameters)
        case (.contractCall, _):
            let to = to!
            var registry = EVM.Registry(nativeSymbol: asset.symbol, nativeDecimals: Int(asset.decimals))
            for token in onChain { if let contract = token.contract { registry.tokens[try! EVM.Address(hex: contract)] = .init(symbol: token.symbol, decimals: Int(token.decimals)) } }
            let intent = EVM.IntentDecoder(registry: registry).decode(to: to, value: units, data: data)
            policy.call = intent.action.policyCall(target: to, data: data, registry: registry)
            if case .tokens = intent.action.movement(value: 0), units > 0 {
                throw Self.invalid("a call that moves tokens carries no native value; this one sends \(self.amount) \(asset.symbol)")
            }
            intent.action.charge(&policy, value: units, assets: onChain)
            policy.recipients = intent.action.recipients.map(\.checksummed)
            plan = PlannedTransaction(requestId: requestId, vault: vault.id, chain: chain, chainId: chainId, from: from, path: path, to: to,
                                      value: units, data: data, status: .awaitingParameters)
        }
        return (plan, policy)
    }

    /// The vault's EVM address `from` names (by label or by address) and its derivation path;
    /// the vault key's own address is `m`.
    private func source(of vault: Vault) throws(GovernanceError) -> (EVM.Address, [UInt32]) {
        guard let source = vault.evmSource(named: from) else {
            throw Self.invalid("from \"\(from.printable(limit: 64))\" is not an EVM address of vault \(vault.id)")
        }
        return source
    }

    /// `text` (a decimal string) in base units of an asset with `decimals`, and as a policy decimal.
    static func amount(_ text: String, decimals: UInt8, of symbol: String) throws(GovernanceError) -> (BigUInt, FixedDecimal) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= Int(decimals) else { throw invalid("\(symbol) has \(decimals) decimals; \(text) has \(fraction.count)") }
        guard let units = BigUInt(String(parts[0]) + fraction + String(repeating: "0", count: Int(decimals) - fraction.count)),
              units <= .uint256Max
        else { throw invalid("\(text) \(symbol) is beyond 2^256 - 1 base units") }
        guard let amount = FixedDecimal(parsing: text) else { throw invalid("\(text) \(symbol) is too large for the policy's decimals") }
        return (units, amount)
    }
}
