import BigInt
import CustosCore

extension EVM {
    /// Turns a call (target, value, calldata) into an `Intent`.
    ///
    /// Known functions are recognised by selector and their arguments must be the canonical
    /// ABI encoding (trailing or non-canonical bytes make the call `.malformedCall`, so that
    /// nothing can hide in calldata). Token semantics come from the registry: a
    /// `transferFrom` is read as ERC-721 only when the registry lists the contract as such.
    /// Safe transactions and MultiSend batches are decoded recursively, at most `maxDepth`
    /// levels deep.
    public struct IntentDecoder: Sendable {
        public var registry: Registry
        public var maxDepth: Int

        public init(registry: Registry, maxDepth: Int = 4) {
            self.registry = registry
            self.maxDepth = maxDepth
        }

        /// Decodes what a transaction does.
        public func decode(_ transaction: Transaction) -> Intent {
            decode(to: transaction.to, value: transaction.value, data: transaction.data)
        }

        /// Decodes a call from the transaction's sender (or a Safe) to `to`.
        public func decode(to: Address?, value: BigUInt, data: [UInt8]) -> Intent {
            decode(to: to, value: value, data: data, depth: 0)
        }

        private func decode(to: Address?, value: BigUInt, data: [UInt8], depth: Int) -> Intent {
            guard let to else { return Intent(target: nil, value: value, action: .contractCreation(initCode: data)) }
            if data.isEmpty { return Intent(target: to, value: value, action: .nativeTransfer(to: to, amount: value)) }
            guard data.count >= 4 else {
                return Intent(target: to, value: value, action: .unknownCall(to: to, selector: nil, dataSize: data.count))
            }
            let selector = Array(data[0..<4])
            guard let function = Self.functions[selector] else {
                return Intent(target: to, value: value, action: .unknownCall(to: to, selector: selector, dataSize: data.count))
            }
            let arguments: [ABIValue]
            do {
                arguments = try ABI.decode(function.types, from: data[4...], canonical: true)
            } catch {
                return Intent(target: to, value: value,
                              action: .malformedCall(to: to, function: function.signature, reason: error.reason))
            }
            do {
                let action = try action(function.kind, to: to, arguments, depth: depth)
                return Intent(target: to, value: value, action: action)
            } catch {
                return Intent(target: to, value: value,
                              action: .malformedCall(to: to, function: function.signature, reason: error.reason))
            }
        }

        private func action(_ kind: FunctionKind, to: Address, _ a: [ABIValue], depth: Int) throws(EVMError) -> Action {
            switch kind {
            case .transfer:
                return .erc20Transfer(token: to, to: a[0].addressValue!, amount: a[1].uintValue!)
            case .approve:
                return .erc20Approve(token: to, spender: a[0].addressValue!, amount: a[1].uintValue!)
            case .transferFrom:
                if registry.tokens[to]?.standard == .erc721 {
                    return .erc721Transfer(token: to, from: a[0].addressValue!, to: a[1].addressValue!,
                                           tokenID: a[2].uintValue!, safe: false, data: nil)
                }
                return .erc20TransferFrom(token: to, from: a[0].addressValue!, to: a[1].addressValue!, amount: a[2].uintValue!)
            case .increaseAllowance:
                return .erc20IncreaseAllowance(token: to, spender: a[0].addressValue!, amount: a[1].uintValue!)
            case .safeTransferFrom:
                return .erc721Transfer(token: to, from: a[0].addressValue!, to: a[1].addressValue!,
                                       tokenID: a[2].uintValue!, safe: true, data: nil)
            case .safeTransferFromWithData:
                return .erc721Transfer(token: to, from: a[0].addressValue!, to: a[1].addressValue!,
                                       tokenID: a[2].uintValue!, safe: true, data: a[3].bytesValue!)
            case .setApprovalForAll:
                return .erc721SetApprovalForAll(token: to, operator: a[0].addressValue!, approved: a[1].boolValue!)
            case .upgradeTo:
                return .proxyUpgradeTo(proxy: to, implementation: a[0].addressValue!)
            case .upgradeToAndCall:
                return .proxyUpgradeToAndCall(proxy: to, implementation: a[0].addressValue!, data: a[1].bytesValue!)
            case .changeAdmin:
                return .proxyChangeAdmin(proxy: to, newAdmin: a[0].addressValue!)
            case .transferOwnership:
                return .transferOwnership(contract: to, newOwner: a[0].addressValue!)
            case .renounceOwnership:
                return .renounceOwnership(contract: to)
            case .grantRole:
                return .grantRole(contract: to, role: a[0].bytesValue!, account: a[1].addressValue!)
            case .revokeRole:
                return .revokeRole(contract: to, role: a[0].bytesValue!, account: a[1].addressValue!)
            case .execTransaction:
                guard depth < maxDepth else { throw EVMError(.tooDeep, "Safe transactions nested deeper than \(maxDepth)") }
                guard let operation = Operation(rawValue: UInt8(a[3].uintValue!)) else {
                    throw EVMError(.invalidABI, "Safe operation must be 0 (call) or 1 (delegatecall)")
                }
                let inner = decode(to: a[0].addressValue!, value: a[1].uintValue!, data: a[2].bytesValue!, depth: depth + 1)
                let parameters = SafeTransactionParameters(
                    operation: operation, safeTxGas: a[4].uintValue!, baseGas: a[5].uintValue!,
                    gasPrice: a[6].uintValue!, gasToken: a[7].addressValue!, refundReceiver: a[8].addressValue!,
                    signatures: a[9].bytesValue!)
                return .safeExecTransaction(safe: to, inner: inner, parameters: parameters)
            case .addOwnerWithThreshold:
                return .safeAddOwner(safe: to, owner: a[0].addressValue!, threshold: a[1].uintValue!)
            case .removeOwner:
                return .safeRemoveOwner(safe: to, previousOwner: a[0].addressValue!, owner: a[1].addressValue!,
                                        threshold: a[2].uintValue!)
            case .swapOwner:
                return .safeSwapOwner(safe: to, previousOwner: a[0].addressValue!, oldOwner: a[1].addressValue!,
                                      newOwner: a[2].addressValue!)
            case .changeThreshold:
                return .safeChangeThreshold(safe: to, threshold: a[0].uintValue!)
            case .multiSend:
                guard depth < maxDepth else { throw EVMError(.tooDeep, "MultiSend nested deeper than \(maxDepth)") }
                let items = try MultiSend.unpack(a[0].bytesValue!).map { item in
                    MultiSendItem(operation: item.operation,
                                  intent: decode(to: item.to, value: item.value, data: item.data, depth: depth + 1))
                }
                return .multiSend(contract: to, items: items)
            }
        }

        enum FunctionKind: CaseIterable {
            case transfer, approve, transferFrom, increaseAllowance, safeTransferFrom, safeTransferFromWithData,
                setApprovalForAll, upgradeTo, upgradeToAndCall, changeAdmin, transferOwnership, renounceOwnership,
                grantRole, revokeRole, execTransaction, addOwnerWithThreshold, removeOwner, swapOwner,
                changeThreshold, multiSend

            var signature: String {
                switch self {
                case .transfer: "transfer(address,uint256)"
                case .approve: "approve(address,uint256)"
                case .transferFrom: "transferFrom(address,address,uint256)"
                case .increaseAllowance: "increaseAllowance(address,uint256)"
                case .safeTransferFrom: "safeTransferFrom(address,address,uint256)"
                case .safeTransferFromWithData: "safeTransferFrom(address,address,uint256,bytes)"
                case .setApprovalForAll: "setApprovalForAll(address,bool)"
                case .upgradeTo: "upgradeTo(address)"
                case .upgradeToAndCall: "upgradeToAndCall(address,bytes)"
                case .changeAdmin: "changeAdmin(address)"
                case .transferOwnership: "transferOwnership(address)"
                case .renounceOwnership: "renounceOwnership()"
                case .grantRole: "grantRole(bytes32,address)"
                case .revokeRole: "revokeRole(bytes32,address)"
                case .execTransaction:
                    "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)"
                case .addOwnerWithThreshold: "addOwnerWithThreshold(address,uint256)"
                case .removeOwner: "removeOwner(address,address,uint256)"
                case .swapOwner: "swapOwner(address,address,address)"
                case .changeThreshold: "changeThreshold(uint256)"
                case .multiSend: "multiSend(bytes)"
                }
            }
        }

        struct Function: Sendable {
            let kind: FunctionKind
            let signature: String
            let types: [ABIType]
        }

        /// Known functions by selector, derived from their signatures.
        static let functions: [[UInt8]: Function] = {
            var table: [[UInt8]: Function] = [:]
            for kind in FunctionKind.allCases {
                let signature = kind.signature
                let open = signature.firstIndex(of: "(")!
                let list = String(signature[signature.index(after: open)..<signature.index(before: signature.endIndex)])
                let types = try! ABIType.parseList(list)
                let selector = ABI.selector(signature)
                precondition(table[selector] == nil, "selector collision for \(signature)")
                table[selector] = Function(kind: kind, signature: signature, types: types)
            }
            return table
        }()

        /// The signatures of the functions the decoder recognises.
        public static func knownSignatures() -> [String] { FunctionKind.allCases.map(\.signature) }
    }
}
