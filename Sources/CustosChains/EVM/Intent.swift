import BigInt

extension EVM {
    /// What a call does, decoded: the structured form the policy engine evaluates and people
    /// read (through `description(using:)`). Built by `IntentDecoder`; a call it does not
    /// recognise is `.unknownCall`, never mistaken for a transfer.
    public struct Intent: Hashable, Sendable {
        /// The called address (nil for contract creation).
        public let target: Address?
        /// Native value sent with the call, in the chain's smallest unit.
        public let value: BigUInt
        public let action: Action

        public init(target: Address?, value: BigUInt, action: Action) {
            self.target = target
            self.value = value
            self.action = action
        }
    }

    /// What needs a second look. The policy engine matches on these; the UI shows them.
    public enum DangerFlag: String, Hashable, Sendable, CaseIterable, Comparable {
        /// An ERC-20 allowance of 2¹²⁸ or more (practically unlimited), or an ERC-721
        /// operator approval over a whole collection.
        case unlimitedApproval
        /// Ownable ownership transfer or renunciation, or a Safe owner added, removed, swapped.
        case ownershipChange
        /// A proxy admin change, or DEFAULT_ADMIN_ROLE granted or revoked.
        case adminChange
        /// A proxy implementation upgrade.
        case upgrade
        /// An AccessControl role granted or revoked.
        case roleChange
        /// A Safe threshold change.
        case thresholdChange
        /// A Safe transaction or MultiSend item executed by DELEGATECALL: the callee's code
        /// runs with the Safe's storage and funds.
        case delegatecall
        /// A call the decoders do not know.
        case unknownCall
        /// Calldata for a known function that does not decode canonically.
        case malformedCall
        /// A token contract missing from the registry.
        case unknownToken
        /// A contract deployment.
        case contractCreation

        public static func < (lhs: DangerFlag, rhs: DangerFlag) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// A call inside a Safe transaction or a MultiSend batch: call or delegatecall.
    public enum Operation: UInt8, Hashable, Sendable {
        case call = 0
        case delegatecall = 1
    }

    /// The Safe-specific parameters of `execTransaction` besides the call itself.
    public struct SafeTransactionParameters: Hashable, Sendable {
        public var operation: Operation
        public var safeTxGas: BigUInt
        public var baseGas: BigUInt
        public var gasPrice: BigUInt
        public var gasToken: Address
        public var refundReceiver: Address
        /// Concatenated owner signatures (public data).
        public var signatures: [UInt8]
    }

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

    /// One item of a MultiSend batch.
    public struct MultiSendItem: Hashable, Sendable {
        public let operation: Operation
        public let intent: Intent
    }
}
