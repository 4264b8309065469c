import CustosCore
import CustosCrypto

/// Why bytes were refused as CBOR (RFC 8949). Equality is on `code` only, so tests match codes;
/// `reason` names what is wrong and at which byte offset.
public struct CBORError: CodedError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case truncated, trailingBytes, indefiniteLength, nonCanonical, duplicateKey,
                unsortedKeys, tooDeep, tooLarge, unsupportedType, invalidUTF8, reserved
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The input ends before the item it announces.
        public static let truncated = Code(.truncated)
        /// Bytes follow a complete top-level item.
        public static let trailingBytes = Code(.trailingBytes)
        /// An indefinite-length string, array or map (additional information 31), or a stray break.
        public static let indefiniteLength = Code(.indefiniteLength)
        /// An argument not in its shortest form (RFC 8949 §4.2.1, CTAP2 canonical form).
        public static let nonCanonical = Code(.nonCanonical)
        /// A map holds the same key twice (RFC 8949 §5.6).
        public static let duplicateKey = Code(.duplicateKey)
        /// Map keys out of the CTAP2 canonical order, where that order is required.
        public static let unsortedKeys = Code(.unsortedKeys)
        /// Nesting deeper than the decoder's limit.
        public static let tooDeep = Code(.tooDeep)
        /// An input, string, array or map larger than the decoder's limits or than the input.
        public static let tooLarge = Code(.tooLarge)
        /// A CBOR type WebAuthn does not use here: tags, floats, undefined, simple values, or a
        /// map key that is not an integer, byte string or text string.
        public static let unsupportedType = Code(.unsupportedType)
        /// A text string that is not valid UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// Additional information 28–30, reserved by RFC 8949 §3.
        public static let reserved = Code(.reserved)

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

    public var description: String { "CBOR \(code): \(reason)" }
}
