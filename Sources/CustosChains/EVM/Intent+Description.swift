import BigInt
import CustosCore
import CustosCrypto

extension EVM.Intent {
    /// Allowances at or above 2¹²⁸ are treated as unlimited: no real token supply comes near.
    static let unlimitedThreshold = BigUInt(1) << 128

    /// The one-line plain-language rendering people approve, e.g.
    /// "Transfer 250,000.00 USDC to 0x28C6…1d60 (Binance hot wallet)". Amounts are exact;
    /// addresses are shown in full unless the address book labels them.
    public func description(using registry: EVM.Registry) -> String {
        var text = action.description(using: registry)
        if value > 0 {
            switch action {
            case .nativeTransfer: break
            default: text += " with \(registry.nativeAmount(value)) attached"
            }
        }
        return text
    }

    /// Everything dangerous about this intent, including nested Safe and MultiSend calls.
    public func flags(using registry: EVM.Registry) -> Set<EVM.DangerFlag> {
        action.flags(using: registry)
    }
}

extension EVM.Action {
    func description(using registry: EVM.Registry) -> String {
        let show = registry.display
        switch self {
        case .nativeTransfer(let to, let amount):
            return "Transfer \(registry.nativeAmount(amount)) to \(show(to))"
        case .erc20Transfer(let token, let to, let amount):
            return "Transfer \(tokenAmount(amount, token, registry)) to \(show(to))"
        case .erc20Approve(let token, let spender, let amount):
            if let info = registry.tokens[token], info.standard == .erc721 {
                // ERC-721 approve(address,uint256) approves one token id.
                return "Approve \(show(spender)) to move \(info.symbol) #\(amount)"
            }
            if amount == 0 { return "Revoke the allowance of \(show(spender)) to spend \(tokenName(token, registry))" }
            if amount == .uint256Max {
                return "Approve \(show(spender)) to spend unlimited \(tokenName(token, registry))"
            }
            return "Approve \(show(spender)) to spend \(tokenAmount(amount, token, registry))"
        case .erc20TransferFrom(let token, let from, let to, let amount):
            return "Transfer \(tokenAmount(amount, token, registry)) from \(show(from)) to \(show(to))"
        case .erc20IncreaseAllowance(let token, let spender, let amount):
            return "Increase the allowance of \(show(spender)) by \(tokenAmount(amount, token, registry))"
        case .erc721Transfer(let token, let from, let to, let tokenID, _, let data):
            let item: String
            if let info = registry.tokens[token], info.standard == .erc721 {
                item = "\(info.symbol) #\(tokenID)"
            } else {
                item = "token #\(tokenID) of unknown collection \(token.checksummed)"
            }
            var text = "Transfer \(item) from \(show(from)) to \(show(to))"
            if let data, !data.isEmpty { text += " with \(data.count) bytes of data" }
            return text
        case .erc721SetApprovalForAll(let token, let op, let approved):
            let collection = registry.tokens[token].map(\.symbol) ?? "unknown collection \(token.checksummed)"
            return approved
                ? "Approve \(show(op)) to move every \(collection) token"
                : "Revoke the approval of \(show(op)) to move every \(collection) token"
        case .proxyUpgradeTo(let proxy, let implementation):
            return "Upgrade proxy \(show(proxy)) to implementation \(show(implementation))"
        case .proxyUpgradeToAndCall(let proxy, let implementation, let data):
            return "Upgrade proxy \(show(proxy)) to implementation \(show(implementation)) and call it with "
                + callSummary(data)
        case .proxyChangeAdmin(let proxy, let newAdmin):
            return "Change the admin of proxy \(show(proxy)) to \(show(newAdmin))"
        case .transferOwnership(let contract, let newOwner):
            return "Transfer ownership of \(show(contract)) to \(show(newOwner))"
        case .renounceOwnership(let contract):
            return "Renounce ownership of \(show(contract)) (irreversible)"
        case .grantRole(let contract, let role, let account):
            return "Grant \(roleName(role, registry)) on \(show(contract)) to \(show(account))"
        case .revokeRole(let contract, let role, let account):
            return "Revoke \(roleName(role, registry)) on \(show(contract)) from \(show(account))"
        case .safeExecTransaction(let safe, let inner, let parameters):
            let verb = parameters.operation == .delegatecall
                ? "Safe \(show(safe)) delegatecalls \(inner.target.map(show) ?? "nothing"):"
                : "Safe \(show(safe)) executes:"
            var text = "\(verb) \(inner.description(using: registry))"
            if parameters.gasPrice > 0 {
                let receiver = parameters.refundReceiver == .zero ? "the executor" : show(parameters.refundReceiver)
                text += " (gas refund to \(receiver))"
            }
            return text
        case .safeAddOwner(let safe, let owner, let threshold):
            return "Add owner \(show(owner)) to Safe \(show(safe)) and set its threshold to \(threshold)"
        case .safeRemoveOwner(let safe, _, let owner, let threshold):
            return "Remove owner \(show(owner)) from Safe \(show(safe)) and set its threshold to \(threshold)"
        case .safeSwapOwner(let safe, _, let oldOwner, let newOwner):
            return "Replace owner \(show(oldOwner)) with \(show(newOwner)) on Safe \(show(safe))"
        case .safeChangeThreshold(let safe, let threshold):
            return "Change the threshold of Safe \(show(safe)) to \(threshold)"
        case .multiSend(let contract, let items):
            let parts = items.enumerated().map { index, item in
                let prefix = item.operation == .delegatecall ? "delegatecall: " : ""
                return "\(index + 1)) \(prefix)\(item.intent.description(using: registry))"
            }
            let noun = items.count == 1 ? "call" : "calls"
            return "Batch of \(items.count) \(noun) via MultiSend \(show(contract)): " + parts.joined(separator: "; ")
        case .contractCreation(let initCode):
            return "Deploy a contract with \(EVM.AmountFormatter.format(BigUInt(initCode.count), decimals: 0)) bytes of init code"
        case .unknownCall(let to, let selector, let dataSize):
            if let selector { return "Unknown call to \(show(to)) selector 0x\(selector.hexString)" }
            return "Unknown call to \(show(to)) with \(dataSize) bytes of data and no selector"
        case .malformedCall(let to, let function, let reason):
            return "Malformed call to \(function) on \(show(to)): \(reason)"
        }
    }

    func flags(using registry: EVM.Registry) -> Set<EVM.DangerFlag> {
        var flags: Set<EVM.DangerFlag> = []
        func checkToken(_ token: EVM.Address) { if registry.tokens[token] == nil { flags.insert(.unknownToken) } }
        switch self {
        case .nativeTransfer:
            break
        case .erc20Transfer(let token, _, _), .erc20TransferFrom(let token, _, _, _):
            checkToken(token)
        case .erc20Approve(let token, _, let amount), .erc20IncreaseAllowance(let token, _, let amount):
            checkToken(token)
            // On an ERC-721 the argument is a token id, not an amount.
            let isNFT = registry.tokens[token]?.standard == .erc721
            if !isNFT && amount >= EVM.Intent.unlimitedThreshold { flags.insert(.unlimitedApproval) }
        case .erc721Transfer(let token, _, _, _, _, _):
            checkToken(token)
        case .erc721SetApprovalForAll(let token, _, let approved):
            checkToken(token)
            if approved { flags.insert(.unlimitedApproval) }
        case .proxyUpgradeTo, .proxyUpgradeToAndCall:
            flags.insert(.upgrade)
        case .proxyChangeAdmin:
            flags.insert(.adminChange)
        case .transferOwnership, .renounceOwnership, .safeSwapOwner:
            flags.insert(.ownershipChange)
        case .grantRole(_, let role, _), .revokeRole(_, let role, _):
            flags.insert(.roleChange)
            if role.allSatisfy({ $0 == 0 }) { flags.insert(.adminChange) }
        case .safeExecTransaction(_, let inner, let parameters):
            if parameters.operation == .delegatecall { flags.insert(.delegatecall) }
            flags.formUnion(inner.flags(using: registry))
        case .safeAddOwner, .safeRemoveOwner:
            flags.formUnion([.ownershipChange, .thresholdChange])
        case .safeChangeThreshold:
            flags.insert(.thresholdChange)
        case .multiSend(_, let items):
            for item in items {
                if item.operation == .delegatecall { flags.insert(.delegatecall) }
                flags.formUnion(item.intent.flags(using: registry))
            }
        case .contractCreation:
            flags.insert(.contractCreation)
        case .unknownCall:
            flags.insert(.unknownCall)
        case .malformedCall:
            flags.insert(.malformedCall)
        }
        return flags
    }

    private func tokenName(_ token: EVM.Address, _ registry: EVM.Registry) -> String {
        if let info = registry.tokens[token] { return info.symbol }
        return "unknown token \(token.checksummed)"
    }

    private func tokenAmount(_ amount: BigUInt, _ token: EVM.Address, _ registry: EVM.Registry) -> String {
        switch registry.tokens[token] {
        case .some(let info) where info.standard == .erc20:
            return "\(EVM.AmountFormatter.format(amount, decimals: info.decimals)) \(info.symbol)"
        case .some(let info):
            return "\(info.symbol) #\(amount)"
        case .none:
            break
        }
        return "\(amount) base units of unknown token \(token.checksummed)"
    }

    private func roleName(_ role: [UInt8], _ registry: EVM.Registry) -> String {
        if let name = registry.roles[role] { return "role \(name)" }
        return "role 0x\(role.hexString)"
    }

    private func callSummary(_ data: [UInt8]) -> String {
        if data.isEmpty { return "no data" }
        if data.count < 4 { return "\(data.count) bytes of data" }
        return "\(data.count) bytes of data (selector 0x\(data.prefix(4).hexString))"
    }
}
