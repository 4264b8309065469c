import BigInt
import CustosCore
import CustosCrypto

extension EVM {
    /// Safe's MultiSend packed batch: for each item `operation (1) ‖ to (20) ‖ value (32) ‖
    /// dataLength (32) ‖ data`, concatenated without padding.
    public enum MultiSend {
        public struct Item: Hashable, Sendable {
            public var operation: Operation
            public var to: Address
            public var value: BigUInt
            public var data: [UInt8]

            public init(operation: Operation, to: Address, value: BigUInt, data: [UInt8]) {
                self.operation = operation
                self.to = to
                self.value = value
                self.data = data
            }
        }

        /// The packed form of `items`.
        public static func pack(_ items: [Item]) -> [UInt8] {
            var out: [UInt8] = []
            for item in items {
                out.append(item.operation.rawValue)
                out += item.to.rawValue
                out += item.value.bigEndianBytes(width: 32)
                out += BigUInt(item.data.count).bigEndianBytes(width: 32)
                out += item.data
            }
            return out
        }

        /// Splits a packed batch; truncated items and unknown operations are errors.
        public static func unpack(_ packed: [UInt8]) throws(EVMError) -> [Item] {
            var items: [Item] = []
            var position = 0
            while position < packed.count {
                guard packed.count - position >= 85 else {
                    throw EVMError(.truncated, "MultiSend item \(items.count + 1) is truncated")
                }
                guard let operation = Operation(rawValue: packed[position]) else {
                    throw EVMError(.invalidABI, "MultiSend item \(items.count + 1) has operation \(packed[position])")
                }
                let to = try Address(packed[(position + 1)..<(position + 21)])
                let value = BigUInt(bigEndian: packed[(position + 21)..<(position + 53)])
                let lengthWord = packed[(position + 53)..<(position + 85)]
                guard lengthWord.prefix(28).allSatisfy({ $0 == 0 }) else {
                    throw EVMError(.tooLarge, "MultiSend item \(items.count + 1) data length is too large")
                }
                let length = lengthWord.suffix(4).reduce(0) { $0 << 8 | Int($1) }
                position += 85
                guard length <= packed.count - position else {
                    throw EVMError(.truncated, "MultiSend item \(items.count + 1) data runs past the end")
                }
                items.append(Item(operation: operation, to: to, value: value,
                                  data: Array(packed[position..<(position + length)])))
                position += length
            }
            return items
        }
    }
}
