extension PolicyRequest.ContractCall {
    /// Every `function` the chain layer can give a contract call: the functions the EVM intent
    /// decoder reads (by their Solidity names), `native.transfer` (a call without calldata),
    /// `contract.create`, and `unknown` or `malformed` for calldata it does not read. A call
    /// clause naming anything else can never match; the checker says so.
    public static let decodedFunctions: Set<String> = [
        "transfer", "approve", "transferFrom", "increaseAllowance", "safeTransferFrom", "setApprovalForAll",
        "upgradeTo", "upgradeToAndCall", "changeAdmin", "transferOwnership", "renounceOwnership", "grantRole", "revokeRole",
        "execTransaction", "addOwnerWithThreshold", "removeOwner", "swapOwner", "changeThreshold", "multiSend",
        "native.transfer", "contract.create", "unknown", "malformed",
    ]
}
