extension EVM.Action {
    /// A stable machine name for the action, for policy rules and audit records
    /// ("erc20.transfer", "safe.execTransaction", "unknown", …). Never localised, never
    /// renamed once shipped.
    public var kind: String {
        switch self {
        case .nativeTransfer: "native.transfer"
        case .erc20Transfer: "erc20.transfer"
        case .erc20Approve: "erc20.approve"
        case .erc20TransferFrom: "erc20.transferFrom"
        case .erc20IncreaseAllowance: "erc20.increaseAllowance"
        case .erc721Transfer: "erc721.transfer"
        case .erc721SetApprovalForAll: "erc721.setApprovalForAll"
        case .proxyUpgradeTo: "proxy.upgradeTo"
        case .proxyUpgradeToAndCall: "proxy.upgradeToAndCall"
        case .proxyChangeAdmin: "proxy.changeAdmin"
        case .transferOwnership: "ownable.transferOwnership"
        case .renounceOwnership: "ownable.renounceOwnership"
        case .grantRole: "accessControl.grantRole"
        case .revokeRole: "accessControl.revokeRole"
        case .safeExecTransaction: "safe.execTransaction"
        case .safeAddOwner: "safe.addOwnerWithThreshold"
        case .safeRemoveOwner: "safe.removeOwner"
        case .safeSwapOwner: "safe.swapOwner"
        case .safeChangeThreshold: "safe.changeThreshold"
        case .multiSend: "safe.multiSend"
        case .contractCreation: "contract.create"
        case .unknownCall: "unknown"
        case .malformedCall: "malformed"
        }
    }

    /// The Solidity signature of the function called, when it is a known function (nil for
    /// native transfers, deployments and unknown calls).
    public var functionSignature: String? {
        switch self {
        case .nativeTransfer, .contractCreation, .unknownCall: nil
        case .malformedCall(_, let function, _): function
        case .erc20Transfer: "transfer(address,uint256)"
        case .erc20Approve: "approve(address,uint256)"
        case .erc20TransferFrom: "transferFrom(address,address,uint256)"
        case .erc20IncreaseAllowance: "increaseAllowance(address,uint256)"
        case .erc721Transfer(_, _, _, _, let safe, let data):
            !safe ? "transferFrom(address,address,uint256)"
                : data == nil ? "safeTransferFrom(address,address,uint256)"
                : "safeTransferFrom(address,address,uint256,bytes)"
        case .erc721SetApprovalForAll: "setApprovalForAll(address,bool)"
        case .proxyUpgradeTo: "upgradeTo(address)"
        case .proxyUpgradeToAndCall: "upgradeToAndCall(address,bytes)"
        case .proxyChangeAdmin: "changeAdmin(address)"
        case .transferOwnership: "transferOwnership(address)"
        case .renounceOwnership: "renounceOwnership()"
        case .grantRole: "grantRole(bytes32,address)"
        case .revokeRole: "revokeRole(bytes32,address)"
        case .safeExecTransaction:
            "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)"
        case .safeAddOwner: "addOwnerWithThreshold(address,uint256)"
        case .safeRemoveOwner: "removeOwner(address,address,uint256)"
        case .safeSwapOwner: "swapOwner(address,address,address)"
        case .safeChangeThreshold: "changeThreshold(uint256)"
        case .multiSend: "multiSend(bytes)"
        }
    }
}
