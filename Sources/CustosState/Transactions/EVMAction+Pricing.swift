import BigInt
import CustosChains
import CustosCore
import CustosPolicy

extension EVM.Action {
    /// What a decoded call moves out of its sender's hands besides the native value it carries,
    /// as far as the decoder positively knows (review helper-48 M1: fail closed).
    enum Movement: Equatable {
        /// Nothing beyond the native value: a plain native transfer, an operator's approval
        /// withdrawn, or a Safe transaction or multiSend whose every part is one of these (and,
        /// under a Safe, moves no value).
        case nativeOnly
        /// `units` base units of ERC-20 `token` (an ERC-20 `transfer`, `transferFrom`, `approve` or
        /// `increaseAllowance`, or a multiSend's parts in one token, summed) to `counterparty`
        /// (nil when a multiSend's parts go to more than one).
        case tokens(token: EVM.Address, units: BigUInt, counterparty: EVM.Address?)
        /// No USD price can measure it, and why: an unrecognised or malformed call, an NFT, a
        /// grant, revocation or renunciation of control over a contract or a Safe, a Safe transaction that moves the Safe's
        /// funds, a multiSend part that is any of these, a delegatecall, or parts in more than one asset.
        case unpriced(String)
    }

    /// What this call, carrying `value` native units, moves (`Movement`).
    func movement(value: BigUInt) -> Movement {
        switch self {
        case .nativeTransfer, .erc721SetApprovalForAll(_, _, approved: false):
            return .nativeOnly
        case .renounceOwnership(let contract):
            // Irreversible: no one controls the contract afterwards (review helper-89 L1).
            return .unpriced("the call gives up control of \(contract.checksummed) for good, which no USD price measures")
        case .revokeRole(let contract, _, let account):
            // It may strip the firm's own last administrator of a contract (review helper-89 L1).
            return .unpriced("the call takes a role on \(contract.checksummed) away from \(account.checksummed), which no USD price measures")
        case .erc20Transfer(let token, let to, let amount), .erc20TransferFrom(let token, _, let to, let amount):
            return .tokens(token: token, units: amount, counterparty: to)
        case .erc20Approve(let token, let spender, let amount), .erc20IncreaseAllowance(let token, let spender, let amount):
            return .tokens(token: token, units: amount, counterparty: spender)
        case .erc721Transfer(let token, _, _, let id, _, _):
            return .unpriced("the call transfers token \(id) of the collection \(token.checksummed), which has no USD price")
        case .erc721SetApprovalForAll(let token, let op, _):
            return .unpriced("the call lets \(op.checksummed) move every token of the collection \(token.checksummed), which no USD price measures")
        case .proxyUpgradeTo(let contract, _), .proxyUpgradeToAndCall(let contract, _, _), .proxyChangeAdmin(let contract, _),
             .transferOwnership(let contract, _), .grantRole(let contract, _, _):
            return .unpriced("the call (\(kind)) hands control of \(contract.checksummed) to another address, which no USD price measures")
        case .safeAddOwner(let safe, _, _), .safeRemoveOwner(let safe, _, _, _), .safeSwapOwner(let safe, _, _, _), .safeChangeThreshold(let safe, _):
            return .unpriced("the call (\(kind)) changes who controls the Safe \(safe.checksummed), which no USD price measures")
        case .safeExecTransaction(let safe, let inner, let parameters):
            // A delegatecall runs the target's code as the Safe, whatever its calldata looks like
            // (review helper-89 H1): never priced.
            guard parameters.operation == .call, parameters.gasPrice == 0, inner.action.movesNothing(value: inner.value) else {
                return .unpriced("the call executes a Safe transaction that moves the funds of, or acts as, the Safe \(safe.checksummed), which no USD price measures")
            }
            return .nativeOnly
        case .multiSend(_, let items):
            return Self.sum(items, value: value)
        case .contractCreation:
            return .unpriced("the call creates a contract, whose effect no USD price measures")
        case .unknownCall(_, let selector, _):
            let named = selector.map { "selector 0x\($0.hexString)" } ?? "no selector"
            return .unpriced("the decoder does not recognise the call (\(named)), so what it moves beyond its native value is unknown")
        case .malformedCall(_, let function, _):
            return .unpriced("the arguments of \(function) do not decode, so what the call moves is unknown")
        }
    }

    /// Whether the call moves nothing at all, carrying `value`: no native value, and nothing
    /// beyond it (a multiSend's parts carry none either). What a Safe may execute and stay priced.
    func movesNothing(value: BigUInt) -> Bool {
        guard value == 0, movement(value: 0) == .nativeOnly else { return false }
        if case .multiSend(_, let items) = self { return items.allSatisfy { $0.intent.action.movesNothing(value: $0.intent.value) } }
        return true
    }

    /// Charges `policy` (the policy's view of this call, kind `contract_call`, carrying `value`
    /// native units) with what the call moves (`movement(value:)`), so that limits and USD clauses
    /// see it exactly like a transfer. A call that moves nothing beyond its native value keeps it
    /// as amount. For tokens, the asset, amount and destination become the token's registered
    /// symbol, the amount in its units and the counterparty (a multiSend's parts to more than
    /// one keep the MultiSend contract as destination). A token the chain's registry does not
    /// hold cannot be priced: the asset is then the contract's address, the amount the integer in
    /// base units (never less than the amount in token units, so upper bounds fail closed) and
    /// `unpriced` says why, so every USD clause fails closed. An amount beyond the policy's
    /// decimals (an "unlimited" approval) counts as the largest decimal, also unpriced. Any other
    /// call is unpriced with the reason `movement(value:)` gives.
    func charge(_ policy: inout PolicyRequest, value: BigUInt, assets: [RegisteredAsset]) {
        let token: EVM.Address, units: BigUInt, counterparty: EVM.Address?
        switch movement(value: value) {
        case .nativeOnly:
            return
        case .unpriced(let reason):
            policy.unpriced = reason
            return
        case .tokens(let t, let u, let c):
            (token, units, counterparty) = (t, u, c)
        }
        if let counterparty { policy.destination = counterparty.checksummed }
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

    /// A multiSend's parts, summed: nothing beyond native value when no part moves more; the
    /// sum of their token movements when every one is in the same token and no value rides along;
    /// unpriced if any part is a delegatecall or unpriced, or they move more than one asset.
    private static func sum(_ items: [EVM.MultiSendItem], value: BigUInt) -> Movement {
        var total: (token: EVM.Address, units: BigUInt, counterparty: EVM.Address?)? = nil
        for (i, item) in items.enumerated() {
            guard item.operation == .call else {
                return .unpriced("part \(i + 1) of the multiSend is a delegatecall, which runs other code as its caller, so what it moves is unknown")
            }
            switch item.intent.action.movement(value: item.intent.value) {
            case .nativeOnly:
                continue
            case .unpriced(let reason):
                return .unpriced("part \(i + 1) of the multiSend: \(reason)")
            case .tokens(let token, let units, let counterparty):
                guard let sum = total else {
                    total = (token, units, counterparty)
                    continue
                }
                guard sum.token == token else {
                    return .unpriced("the multiSend moves more than one token (\(sum.token.checksummed) and \(token.checksummed)), which no single amount prices")
                }
                total = (token, sum.units + units, sum.counterparty == counterparty ? counterparty : nil)
            }
        }
        guard let total else { return .nativeOnly }
        guard value == 0, items.allSatisfy({ $0.intent.value == 0 }) else {
            return .unpriced("the multiSend moves native value and tokens at once, which no single amount prices")
        }
        return .tokens(token: total.token, units: total.units, counterparty: total.counterparty)
    }
}
