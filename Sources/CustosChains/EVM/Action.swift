import BigInt

extension EVM {
    /// The decoded actions.
    public indirect enum Action: Hashable, Sendable {
        /// Plain value transfer (no calldata).
        case nativeTransfer(to: Address, amount: BigUInt)
        case erc20Transfer(token: Address, to: Address, amount: BigUInt)
        case erc20Approve(token: Address, spender: Address, amount: BigUInt)
        case erc20TransferFrom(token: Address, from: Address, to: Address, amount: BigUInt)
        case erc20IncreaseAllowance(token: Address, spender: Address, amount: BigUInt)
        /// `transferFrom` or `safeTransferFrom` on a collection (`data` for the 4-argument form).
        case erc721Transfer(token: Address, from: Address, to: Address, tokenID: BigUInt, safe: Bool, data: [UInt8]?)
        case erc721SetApprovalForAll(token: Address, operator: Address, approved: Bool)
        case proxyUpgradeTo(proxy: Address, implementation: Address)
        case proxyUpgradeToAndCall(proxy: Address, implementation: Address, data: [UInt8])
        case proxyChangeAdmin(proxy: Address, newAdmin: Address)
        case transferOwnership(contract: Address, newOwner: Address)
        case renounceOwnership(contract: Address)
        case grantRole(contract: Address, role: [UInt8], account: Address)
        case revokeRole(contract: Address, role: [UInt8], account: Address)
        /// `execTransaction` on `safe`; `inner` is the decoded call the Safe will make.
        case safeExecTransaction(safe: Address, inner: Intent, parameters: SafeTransactionParameters)
        case safeAddOwner(safe: Address, owner: Address, threshold: BigUInt)
        case safeRemoveOwner(safe: Address, previousOwner: Address, owner: Address, threshold: BigUInt)
        case safeSwapOwner(safe: Address, previousOwner: Address, oldOwner: Address, newOwner: Address)
        case safeChangeThreshold(safe: Address, threshold: BigUInt)
        /// `multiSend(bytes)`: each packed item decoded in order.
        case multiSend(contract: Address, items: [MultiSendItem])
        case contractCreation(initCode: [UInt8])
        /// A call no decoder recognises; `selector` is nil when the data is shorter than 4 bytes.
        case unknownCall(to: Address, selector: [UInt8]?, dataSize: Int)
        /// A known selector whose arguments do not decode canonically.
        case malformedCall(to: Address, function: String, reason: String)
    }
}
