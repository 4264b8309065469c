import CustosChains

extension EVM.Action {
    /// Every address this decoded call sends value or grants authority to, in the order the
    /// call names them: the recipient of a token or NFT transfer, an approval's spender or
    /// operator (not when `setApprovalForAll` revokes), a new owner, admin, implementation or
    /// role holder, and for a Safe transaction or a multisend each inner call's target followed
    /// by its own recipients (and a Safe's refund receiver when it refunds gas). The policy's
    /// look-alike and poisoned flags and the cooling-off hold read them
    /// (`PolicyRequest.recipients`; security review M1). A call the decoder does not read names
    /// none.
    var recipients: [EVM.Address] {
        switch self {
        case .nativeTransfer(let to, _), .erc20Transfer(_, let to, _), .erc20TransferFrom(_, _, let to, _),
             .erc721Transfer(_, _, let to, _, _, _):
            return [to]
        case .erc20Approve(_, let spender, _), .erc20IncreaseAllowance(_, let spender, _):
            return [spender]
        case .erc721SetApprovalForAll(_, let op, let approved):
            return approved ? [op] : []
        case .proxyUpgradeTo(_, let implementation), .proxyUpgradeToAndCall(_, let implementation, _):
            return [implementation]
        case .proxyChangeAdmin(_, let admin):
            return [admin]
        case .transferOwnership(_, let owner), .safeAddOwner(_, let owner, _), .safeSwapOwner(_, _, _, let owner):
            return [owner]
        case .grantRole(_, _, let account):
            return [account]
        case .safeExecTransaction(_, let inner, let parameters):
            // A refund of the Safe's gas goes to its refund receiver (the zero address: tx.origin).
            let refunded = parameters.gasPrice > 0 && parameters.refundReceiver != EVM.Address.zero
            return inner.recipients + (refunded ? [parameters.refundReceiver] : [])
        case .multiSend(_, let items):
            return items.flatMap(\.intent.recipients)
        case .renounceOwnership, .revokeRole, .safeRemoveOwner, .safeChangeThreshold, .contractCreation, .unknownCall, .malformedCall:
            return []
        }
    }
}
