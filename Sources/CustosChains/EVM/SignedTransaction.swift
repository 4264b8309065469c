import BigInt
import CustosCore
import CustosCrypto

extension EVM {
    /// A transaction with its signature: what `eth_sendRawTransaction` broadcasts.
    ///
    /// `decode(_:)` parses the network encoding strictly (canonical RLP, the exact field count
    /// for the type, low-S signatures per EIP-2, v consistent with the chain id) and reports
    /// every problem as an `EVMError`, never a crash.
    public struct SignedTransaction: Hashable, Sendable {
        public let transaction: Transaction
        public let signature: Secp256k1.ECDSA.RecoverableSignature

        init(transaction: Transaction, signature: Secp256k1.ECDSA.RecoverableSignature) throws(EVMError) {
            guard signature.recoveryID <= 1 else {
                throw EVMError(.invalidSignature, "recovery id \(signature.recoveryID) cannot be encoded in a transaction")
            }
            guard signature.isLowS else { throw EVMError(.invalidSignature, "signature s is not low (EIP-2)") }
            self.transaction = transaction
            self.signature = signature
        }

        /// The y parity of R (0 or 1).
        public var yParity: UInt8 { signature.recoveryID }

        /// The `v` field as encoded: `chainId·2 + 35 + yParity` (EIP-155), `27 + yParity`
        /// (pre-EIP-155), or the bare parity for typed transactions.
        public var v: BigUInt {
            switch transaction.kind {
            case .legacy:
                if let chainID = transaction.chainID { return BigUInt(chainID) * 2 + 35 + BigUInt(yParity) }
                return 27 + BigUInt(yParity)
            case .accessList, .dynamicFee:
                return BigUInt(yParity)
            }
        }

        /// The network encoding (raw transaction).
        public var encoded: [UInt8] {
            let signatureFields: [RLP.Item] = [
                .uint(v), .uint(BigUInt(bigEndian: signature.r)), .uint(BigUInt(bigEndian: signature.s)),
            ]
            switch transaction.kind {
            case .legacy:
                return RLP.encode(.list(transaction.commonLegacyFields + signatureFields))
            case .accessList, .dynamicFee:
                return [transaction.kind.rawValue] + RLP.encode(.list(transaction.typedFields + signatureFields))
            }
        }

        /// The transaction hash: Keccak-256 of the network encoding.
        public var hash: [UInt8] { Keccak256.hash(encoded) }

        /// The address whose key signed `transaction.signingHash`.
        public func recoverSender() throws(EVMError) -> Address {
            do {
                let key = try signature.recoverPublicKey(forDigest: transaction.signingHash)
                return Address(publicKey: key)
            } catch {
                throw EVMError(.invalidSignature, "no sender recovers: \(error.reason)")
            }
        }

        /// Decodes a raw transaction (legacy RLP list or EIP-2718 typed envelope).
        public static func decode(_ bytes: some Collection<UInt8>, limits: RLP.Limits = .default) throws(EVMError) -> SignedTransaction {
            let input = Array(bytes)
            guard let first = input.first else { throw EVMError(.truncated, "empty transaction") }
            switch first {
            case 0xC0...0xFF:
                return try decodeLegacy(RLP.decode(input, limits: limits).list("transaction"))
            case Transaction.Kind.accessList.rawValue, Transaction.Kind.dynamicFee.rawValue:
                let kind = Transaction.Kind(rawValue: first)!
                guard input.count > 1 else { throw EVMError(.truncated, "\(kind) transaction has no payload") }
                let fields = try RLP.decode(input.dropFirst(), limits: limits).list("transaction")
                return try decodeTyped(kind, fields)
            case 0x03:
                throw EVMError(.invalidTransaction, "blob transactions (EIP-4844, type 0x03) are not supported")
            default:
                throw EVMError(.invalidTransaction, "unknown transaction type 0x\([first].hexString)")
            }
        }

        private static func decodeLegacy(_ fields: [RLP.Item]) throws(EVMError) -> SignedTransaction {
            guard fields.count == 9 else {
                throw EVMError(.invalidRLP, "a signed legacy transaction has 9 fields, got \(fields.count)")
            }
            let v = try fields[6].uint("v")
            let chainID: UInt64?
            let parity: UInt8
            if v == 27 || v == 28 {
                chainID = nil
                parity = UInt8(v - 27)
            } else if v >= 37 {
                let id = (v - 35) / 2
                guard id <= BigUInt(UInt64.max) else { throw EVMError(.outOfRange, "chain id exceeds 64 bits") }
                chainID = UInt64(id)
                parity = UInt8((v - 35) % 2)
            } else {
                throw EVMError(.invalidSignature, "legacy v of \(v) is neither 27/28 nor EIP-155")
            }
            let transaction = try Transaction(
                kind: .legacy, chainID: chainID, nonce: fields[0].uint64("nonce"),
                fees: .gasPrice(fields[1].uint("gasPrice")), gasLimit: fields[2].uint64("gasLimit"),
                to: decodeTo(fields[3]), value: fields[4].uint("value"), data: fields[5].bytes("data"))
            return try SignedTransaction(
                transaction: transaction, signature: decodeSignature(fields[7], fields[8], parity: parity))
        }

        private static func decodeTyped(_ kind: Transaction.Kind, _ fields: [RLP.Item]) throws(EVMError) -> SignedTransaction {
            let expected = kind == .accessList ? 11 : 12
            guard fields.count == expected else {
                throw EVMError(.invalidRLP, "a signed \(kind) transaction has \(expected) fields, got \(fields.count)")
            }
            var i = 0
            func next() -> RLP.Item {
                defer { i += 1 }
                return fields[i]
            }
            let chainID = try next().uint64("chainId")
            let nonce = try next().uint64("nonce")
            let fees: Transaction.Fees
            if kind == .accessList {
                fees = .gasPrice(try next().uint("gasPrice"))
            } else {
                let tip = try next().uint("maxPriorityFeePerGas")
                fees = .dynamic(maxPriorityFeePerGas: tip, maxFeePerGas: try next().uint("maxFeePerGas"))
            }
            let gasLimit = try next().uint64("gasLimit")
            let to = try decodeTo(next())
            let value = try next().uint("value")
            let data = try next().bytes("data")
            let accessList = try decodeAccessList(next())
            let parityValue = try next().uint("yParity", maxBytes: 1)
            guard parityValue <= 1 else { throw EVMError(.invalidSignature, "yParity must be 0 or 1") }
            let transaction = try Transaction(
                kind: kind, chainID: chainID, nonce: nonce, fees: fees, gasLimit: gasLimit, to: to,
                value: value, data: data, accessList: accessList)
            return try SignedTransaction(
                transaction: transaction,
                signature: decodeSignature(fields[i], fields[i + 1], parity: UInt8(parityValue)))
        }

        private static func decodeTo(_ item: RLP.Item) throws(EVMError) -> Address? {
            let bytes = try item.bytes("to")
            if bytes.isEmpty { return nil }
            guard bytes.count == 20 else { throw EVMError(.invalidTransaction, "to is \(bytes.count) bytes, not 20") }
            return try Address(bytes)
        }

        private static func decodeAccessList(_ item: RLP.Item) throws(EVMError) -> [AccessListEntry] {
            var entries: [AccessListEntry] = []
            for entry in try item.list("accessList") {
                let pair = try entry.list("access-list entry")
                guard pair.count == 2 else { throw EVMError(.invalidRLP, "an access-list entry has 2 fields") }
                let address = try pair[0].bytes("access-list address")
                guard address.count == 20 else { throw EVMError(.invalidTransaction, "access-list address is not 20 bytes") }
                var keys: [[UInt8]] = []
                for key in try pair[1].list("storage keys") {
                    let bytes = try key.bytes("storage key")
                    guard bytes.count == 32 else { throw EVMError(.invalidTransaction, "storage key is not 32 bytes") }
                    keys.append(bytes)
                }
                entries.append(try AccessListEntry(address: Address(address), storageKeys: keys))
            }
            return entries
        }

        private static func decodeSignature(_ r: RLP.Item, _ s: RLP.Item, parity: UInt8) throws(EVMError) -> Secp256k1.ECDSA.RecoverableSignature {
            let rValue = try r.uint("r"), sValue = try s.uint("s")
            do {
                return try Secp256k1.ECDSA.RecoverableSignature(
                    r: rValue.bigEndianBytes(width: 32), s: sValue.bigEndianBytes(width: 32), recoveryID: parity)
            } catch {
                throw EVMError(.invalidSignature, "signature: \(error.reason)")
            }
        }
    }
}
