import CustosCore
import CustosCrypto

/// Why EVM input was refused: malformed RLP, a bad address, a transaction that does not
/// decode, ABI data that does not match its types, typed data that is inconsistent.
/// Equality is on `code` only, so tests match codes; `reason` is for people and never
/// contains secret material.
public struct EVMError: CodedError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case truncated, trailingBytes, nonCanonical, tooLarge, tooDeep, invalidRLP,
                invalidAddress, invalidChecksum, invalidTransaction, invalidSignature,
                invalidABI, invalidTypedData, outOfRange
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The input ends before a length it announced.
        public static let truncated = Code(.truncated)
        /// Bytes remain after a complete item.
        public static let trailingBytes = Code(.trailingBytes)
        /// A valid value in a form other than the one canonical encoding (leading zeros,
        /// a long length where a short one fits, a single byte wrapped as a string).
        public static let nonCanonical = Code(.nonCanonical)
        /// The input or a length in it is larger than allowed.
        public static let tooLarge = Code(.tooLarge)
        /// Lists nested deeper than allowed.
        public static let tooDeep = Code(.tooDeep)
        /// Structurally wrong RLP (a list where a string belongs, the wrong field count).
        public static let invalidRLP = Code(.invalidRLP)
        /// Not 20 bytes of hex.
        public static let invalidAddress = Code(.invalidAddress)
        /// Mixed-case hex whose case does not match its EIP-55 checksum.
        public static let invalidChecksum = Code(.invalidChecksum)
        /// A transaction whose fields are inconsistent or of an unknown type.
        public static let invalidTransaction = Code(.invalidTransaction)
        /// A signature that is out of range or recovers no key.
        public static let invalidSignature = Code(.invalidSignature)
        /// ABI data that does not match its types, or a malformed type string.
        public static let invalidABI = Code(.invalidABI)
        /// EIP-712 types or values that do not fit together.
        public static let invalidTypedData = Code(.invalidTypedData)
        /// A number outside the range its field allows.
        public static let outOfRange = Code(.outOfRange)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let reason: String
    public let fileID: String
    public let line: Int

    public init(_ code: Code, _ reason: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.fileID = fileID
        self.line = line
    }
}
