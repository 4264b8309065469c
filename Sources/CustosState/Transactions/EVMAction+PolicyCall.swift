import BigInt
import CustosChains
import CustosCore
import CustosPolicy

extension EVM.Action {
    /// The policy's view of this decoded call to `target`: the function's name (`transfer`,
    /// `approve`, `execTransaction`; `unknown` or `malformed` for calls the decoder does not
    /// read), its selector, address and text arguments by parameter name, and numeric arguments
    /// by parameter name — token amounts in the token's units when `registry` knows the token,
    /// other numbers as integers. A number too large for the policy's decimals (an "unlimited"
    /// approval) is named in `oversizedAmounts`, so rules that read it fail closed.
    func policyCall(target: EVM.Address, data: [UInt8], registry: EVM.Registry) -> PolicyRequest.ContractCall {
        let selector = data.count >= 4 ? "0x" + Array(data[0..<4]).hexString : ""
        let function = functionSignature.map { String($0.prefix { $0 != "(" }) } ?? (kind == "unknown" ? "unknown" : kind)
        var call = PolicyRequest.ContractCall(target: target.checksummed, function: function, selector: selector)
        func address(_ name: String, _ value: EVM.Address) { call.arguments[name] = value.checksummed }
        func number(_ name: String, _ value: BigUInt, decimals: Int = 0) {
            let text = String(EVM.AmountFormatter.format(value, decimals: decimals).filter { $0 != "," })
            call.arguments[name] = text
            if let amount = FixedDecimal(parsing: text) { call.amounts[name] = amount } else { call.oversizedAmounts.insert(name) }
        }
        func tokenDecimals(_ token: EVM.Address) -> Int { registry.tokens[token]?.decimals ?? 0 }
        switch self {
        case .nativeTransfer(let to, let amount):
            address("to", to)
            number("amount", amount, decimals: registry.nativeDecimals)
        case .erc20Transfer(let token, let to, let amount):
            address("to", to)
            number("amount", amount, decimals: tokenDecimals(token))
        case .erc20Approve(let token, let spender, let amount), .erc20IncreaseAllowance(let token, let spender, let amount):
            address("spender", spender)
            number("amount", amount, decimals: tokenDecimals(token))
        case .erc20TransferFrom(let token, let from, let to, let amount):
            address("from", from)
            address("to", to)
            number("amount", amount, decimals: tokenDecimals(token))
        case .erc721Transfer(_, let from, let to, let tokenID, _, _):
            address("from", from)
            address("to", to)
            number("tokenId", tokenID)
        case .erc721SetApprovalForAll(_, let op, let approved):
            address("operator", op)
            call.arguments["approved"] = approved ? "true" : "false"
        case .proxyUpgradeTo(_, let implementation), .proxyUpgradeToAndCall(_, let implementation, _):
            address("implementation", implementation)
        case .proxyChangeAdmin(_, let admin):
            address("newAdmin", admin)
        case .transferOwnership(_, let owner):
            address("newOwner", owner)
        case .renounceOwnership, .contractCreation:
            break
        case .grantRole(_, let role, let account), .revokeRole(_, let role, let account):
            call.arguments["role"] = registry.roles[role] ?? "0x" + role.hexString
            address("account", account)
        case .safeExecTransaction(_, let inner, _):
            if let to = inner.target { address("to", to) }
            number("value", inner.value, decimals: registry.nativeDecimals)
            call.arguments["inner"] = inner.action.kind
        case .safeAddOwner(_, let owner, let threshold):
            address("owner", owner)
            number("threshold", threshold)
        case .safeRemoveOwner(_, _, let owner, let threshold):
            address("owner", owner)
            number("threshold", threshold)
        case .safeSwapOwner(_, _, let old, let new):
            address("oldOwner", old)
            address("newOwner", new)
        case .safeChangeThreshold(_, let threshold):
            number("threshold", threshold)
        case .multiSend(_, let items):
            call.arguments["calls"] = items.map(\.intent.action.kind).joined(separator: ",")
        case .unknownCall:
            break
        case .malformedCall(_, _, let reason):
            call.function = "malformed"
            call.arguments["reason"] = reason.printable(limit: 256)
        }
        return call
    }
}
