/// Why bytes were refused as JSON (RFC 8259, with the I-JSON restrictions of RFC 7493 that
/// RFC 8785 relies on). Equality is on `code` only; `reason` names the byte offset.
public struct JSONError: CodedError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case syntax, duplicateKey, tooDeep, tooLarge, invalidUTF8, invalidString, invalidNumber,
                trailingBytes
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Not JSON: an unexpected or missing character.
        public static let syntax = Code(.syntax)
        /// An object names the same member twice (I-JSON §2.3).
        public static let duplicateKey = Code(.duplicateKey)
        /// Nesting deeper than the parser's limit.
        public static let tooDeep = Code(.tooDeep)
        /// Input larger than the parser's limit.
        public static let tooLarge = Code(.tooLarge)
        /// The input is not valid UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A raw control character, a bad escape or a lone surrogate in a string (I-JSON §2.1).
        public static let invalidString = Code(.invalidString)
        /// A number that overflows an IEEE 754 double (I-JSON §2.2).
        public static let invalidNumber = Code(.invalidNumber)
        /// Non-whitespace after the top-level value.
        public static let trailingBytes = Code(.trailingBytes)

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

    public var description: String { "JSON \(code): \(reason)" }
}
