import BigInt
import CustosChains
import CustosCore
import CustosPolicy

extension EVM.Action {
    /// What a decoded call moves out of the vault's hands, as the policy charges it: the token
    /// contract, the amount in base units and the counterparty — the recipient of an ERC-20
    /// `transfer` or `transferFrom`, the spender of an `approve` or `increaseAllowance`. Nil for
    /// every other call.
    var tokenMovement: (token: EVM.Address, units: BigUInt, counterparty: EVM.Address)? {
        switch self {
        case .erc20Transfer(let token, let to, let amount): (token, amount, to)
        case .erc20TransferFrom(let token, _, let to, let amount): (token, amount, to)
        case .erc20Approve(let token, let spender, let amount), .erc20IncreaseAllowance(let token, let spender, let amount):
            (token, amount, spender)
        default: nil
        }
    }

    /// Charges `policy` (the policy's view of this call, kind `contract_call`) with what the call
    /// moves, so that limits and USD clauses see it exactly like a transfer: for a token movement
    /// (`tokenMovement`) the asset, amount and destination become the token's registered symbol,
    /// the decoded amount in its units and the counterparty. A token the chain's registry does
    /// not hold cannot be priced: the asset is then the contract's address, the amount the
    /// decoded integer in base units (never less than the amount in token units, so upper bounds
    /// fail closed) and `unpriced` says why, so every USD clause fails closed. An amount beyond
    /// the policy's decimals counts as the largest decimal, also unpriced. A Safe transaction
    /// that moves value moves the Safe's funds, which the vault's price cannot measure: unpriced.
    func charge(_ policy: inout PolicyRequest, assets: [RegisteredAsset]) {
        if case .safeExecTransaction(_, let inner, _) = self, inner.value > 0 || inner.action.tokenMovement != nil {
            policy.unpriced = "the call executes a Safe transaction that moves the Safe's funds, which no USD price measures"
            return
        }
        guard let (token, units, counterparty) = tokenMovement else { return }
        policy.destination = counterparty.checksummed
        let registered = assets.first { $0.contract.flatMap { try? EVM.Address(hex: $0) } == token }
        let decimals = registered.map { Int($0.decimals) } ?? 0
        policy.asset = registered?.symbol ?? token.checksummed
        let text = String(EVM.AmountFormatter.format(units, decimals: decimals).filter { $0 != "," })
        if let amount = FixedDecimal(parsing: text) {
            policy.amount = amount
        } else {
            policy.amount = FixedDecimal(raw: .max)
            policy.unpriced = "the call moves \(text) base units of \(policy.asset), beyond the policy's decimals"
        }
        if registered == nil {
            policy.unpriced = "the call moves tokens of \(token.checksummed), which is not a registered asset on \(policy.chain), so it has no USD price"
        }
    }
}
