import BigInt

extension EVM {
    /// A value of an `ABIType`.
    public indirect enum ABIValue: Hashable, Sendable {
        case uint(BigUInt)
        case int(BigInt)
        case address(Address)
        case bool(Bool)
        case fixedBytes([UInt8])
        case bytes([UInt8])
        case string(String)
        /// Elements of `T[k]` or `T[]`.
        case array([ABIValue])
        case tuple([ABIValue])
    }
}

extension EVM.ABIValue {
    /// The unsigned integer, if this is one.
    public var uintValue: BigUInt? { if case .uint(let v) = self { v } else { nil } }
    public var addressValue: EVM.Address? { if case .address(let v) = self { v } else { nil } }
    public var boolValue: Bool? { if case .bool(let v) = self { v } else { nil } }
    public var bytesValue: [UInt8]? {
        switch self {
        case .bytes(let v), .fixedBytes(let v): v
        default: nil
        }
    }
    public var arrayValue: [EVM.ABIValue]? {
        switch self {
        case .array(let v), .tuple(let v): v
        default: nil
        }
    }
}
