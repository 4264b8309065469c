import BigInt
import CustosCore
import CustosCrypto

extension EVM {
    /// An unsigned EVM transaction of one of the three supported types: legacy (with EIP-155
    /// replay protection; pre-EIP-155 only when decoded), EIP-2930 (type 1, access list) and
    /// EIP-1559 (type 2, dynamic fee). Blob transactions (EIP-4844, type 3) are refused.
    ///
    /// Every node rebuilds this value from the committed request and computes
    /// `signingHash` itself; it never signs a hash handed to it.
    public struct Transaction: Hashable, Sendable {
        public enum Kind: UInt8, Hashable, Sendable, CustomStringConvertible {
            case legacy = 0
            case accessList = 1
            case dynamicFee = 2

            public var description: String {
                switch self {
                case .legacy: "legacy"
                case .accessList: "EIP-2930"
                case .dynamicFee: "EIP-1559"
                }
            }
        }

        /// Legacy and EIP-2930 pay one gas price; EIP-1559 a priority fee and a fee cap.
        public enum Fees: Hashable, Sendable {
            case gasPrice(BigUInt)
            case dynamic(maxPriorityFeePerGas: BigUInt, maxFeePerGas: BigUInt)
        }

        public let kind: Kind
        /// nil only for a decoded pre-EIP-155 legacy transaction, which is valid on every chain.
        public let chainID: UInt64?
        public let nonce: UInt64
        public let fees: Fees
        public let gasLimit: UInt64
        /// nil creates a contract.
        public let to: Address?
        public let value: BigUInt
        public let data: [UInt8]
        public let accessList: [AccessListEntry]

        /// Validates that the fields fit the kind: fees of the right shape, priority fee not
        /// above the fee cap, no access list on legacy, values below 2²⁵⁶.
        public init(
            kind: Kind, chainID: UInt64?, nonce: UInt64, fees: Fees, gasLimit: UInt64, to: Address?,
            value: BigUInt, data: [UInt8], accessList: [AccessListEntry] = []
        ) throws(EVMError) {
            switch (kind, fees) {
            case (.legacy, .gasPrice(let price)), (.accessList, .gasPrice(let price)):
                guard price <= .uint256Max else { throw EVMError(.outOfRange, "gas price exceeds 2^256-1") }
            case (.dynamicFee, .dynamic(let tip, let cap)):
                guard cap <= .uint256Max else { throw EVMError(.outOfRange, "max fee per gas exceeds 2^256-1") }
                guard tip <= cap else {
                    throw EVMError(.invalidTransaction, "max priority fee per gas exceeds max fee per gas")
                }
            default:
                throw EVMError(.invalidTransaction, "\(kind) transaction with the wrong kind of fees")
            }
            guard chainID != nil || kind == .legacy else {
                throw EVMError(.invalidTransaction, "\(kind) transactions carry a chain id")
            }
            guard kind != .legacy || accessList.isEmpty else {
                throw EVMError(.invalidTransaction, "legacy transactions have no access list")
            }
            guard value <= .uint256Max else { throw EVMError(.outOfRange, "value exceeds 2^256-1") }
            self.kind = kind
            self.chainID = chainID
            self.nonce = nonce
            self.fees = fees
            self.gasLimit = gasLimit
            self.to = to
            self.value = value
            self.data = data
            self.accessList = accessList
        }

        /// A legacy transaction with EIP-155 replay protection.
        public static func legacy(
            chainID: UInt64, nonce: UInt64, gasPrice: BigUInt, gasLimit: UInt64, to: Address?,
            value: BigUInt, data: [UInt8] = []
        ) throws(EVMError) -> Transaction {
            try Transaction(kind: .legacy, chainID: chainID, nonce: nonce, fees: .gasPrice(gasPrice),
                            gasLimit: gasLimit, to: to, value: value, data: data)
        }

        /// An EIP-2930 transaction.
        public static func eip2930(
            chainID: UInt64, nonce: UInt64, gasPrice: BigUInt, gasLimit: UInt64, to: Address?,
            value: BigUInt, data: [UInt8] = [], accessList: [AccessListEntry] = []
        ) throws(EVMError) -> Transaction {
            try Transaction(kind: .accessList, chainID: chainID, nonce: nonce, fees: .gasPrice(gasPrice),
                            gasLimit: gasLimit, to: to, value: value, data: data, accessList: accessList)
        }

        /// An EIP-1559 transaction.
        public static func eip1559(
            chainID: UInt64, nonce: UInt64, maxPriorityFeePerGas: BigUInt, maxFeePerGas: BigUInt,
            gasLimit: UInt64, to: Address?, value: BigUInt, data: [UInt8] = [],
            accessList: [AccessListEntry] = []
        ) throws(EVMError) -> Transaction {
            try Transaction(
                kind: .dynamicFee, chainID: chainID, nonce: nonce,
                fees: .dynamic(maxPriorityFeePerGas: maxPriorityFeePerGas, maxFeePerGas: maxFeePerGas),
                gasLimit: gasLimit, to: to, value: value, data: data, accessList: accessList)
        }

        /// The highest price per gas this transaction can pay (gas price, or the EIP-1559 cap).
        public var maxFeePerGas: BigUInt {
            switch fees {
            case .gasPrice(let price): price
            case .dynamic(_, let cap): cap
            }
        }

        /// The most this transaction can cost the sender: gasLimit × maxFeePerGas + value.
        public var maxCost: BigUInt { BigUInt(gasLimit) * maxFeePerGas + value }

        /// The bytes that are hashed for signing: EIP-155's nine-field list for legacy,
        /// `type ‖ rlp(fields)` for typed transactions (EIP-2718).
        public var signingPayload: [UInt8] {
            switch kind {
            case .legacy:
                var fields = commonLegacyFields
                if let chainID { fields += [.uint(chainID), .uint(UInt64(0)), .uint(UInt64(0))] }
                return RLP.encode(.list(fields))
            case .accessList, .dynamicFee:
                return [kind.rawValue] + RLP.encode(.list(typedFields))
            }
        }

        /// Keccak-256 of `signingPayload`: the digest the key signs.
        public var signingHash: [UInt8] { Keccak256.hash(signingPayload) }

        /// Signs with an ordinary key (development and tests; production uses threshold ECDSA
        /// and `attaching(_:)`).
        public func signed(with key: Secp256k1.ECDSA.PrivateKey) throws(EVMError) -> SignedTransaction {
            let signature: Secp256k1.ECDSA.RecoverableSignature
            do { signature = try key.signature(forDigest: signingHash) } catch {
                throw EVMError(.invalidSignature, "signing failed: \(error.reason)")
            }
            return try attaching(signature)
        }

        /// Attaches a signature produced elsewhere (the MPC signer). It must be low-S with a
        /// recovery id of 0 or 1; the sender is whatever key it recovers to.
        public func attaching(_ signature: Secp256k1.ECDSA.RecoverableSignature) throws(EVMError) -> SignedTransaction {
            try SignedTransaction(transaction: self, signature: signature)
        }

        var commonLegacyFields: [RLP.Item] {
            [.uint(nonce), .uint(maxFeePerGas), .uint(gasLimit), toItem, .uint(value), .bytes(data)]
        }

        var typedFields: [RLP.Item] {
            var fields: [RLP.Item] = [.uint(chainID ?? 0), .uint(nonce)]
            switch fees {
            case .gasPrice(let price): fields.append(.uint(price))
            case .dynamic(let tip, let cap): fields += [.uint(tip), .uint(cap)]
            }
            fields += [.uint(gasLimit), toItem, .uint(value), .bytes(data), accessListItem]
            return fields
        }

        private var toItem: RLP.Item { .bytes(to?.rawValue ?? []) }

        private var accessListItem: RLP.Item {
            .list(accessList.map { entry in
                .list([.bytes(entry.address.rawValue), .list(entry.storageKeys.map { .bytes($0) })])
            })
        }
    }
}
