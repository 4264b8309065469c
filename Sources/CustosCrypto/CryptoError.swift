import CustosCore

/// Why a cryptographic input or operation was refused. Equality is on `code` only, so tests
/// match codes; `reason` is for people and never contains secret material.
public struct CryptoError: CodedError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidLength, invalidEncoding, outOfRange, identity, notOnCurve,
                smallOrder, zeroScalar, libraryFailure
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The input has the wrong number of bytes.
        public static let invalidLength = Code(.invalidLength)
        /// The bytes are not a valid encoding (bad prefix, non-canonical, bad hex).
        public static let invalidEncoding = Code(.invalidEncoding)
        /// A scalar is not below the group order.
        public static let outOfRange = Code(.outOfRange)
        /// The identity element where it is not allowed.
        public static let identity = Code(.identity)
        /// The coordinates do not satisfy the curve equation.
        public static let notOnCurve = Code(.notOnCurve)
        /// A point of small order, or outside the prime-order subgroup.
        public static let smallOrder = Code(.smallOrder)
        /// Zero where a nonzero scalar is required (a secret key, an inverse).
        public static let zeroScalar = Code(.zeroScalar)
        /// A C library refused an operation that should not fail on valid input.
        public static let libraryFailure = Code(.libraryFailure)

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
