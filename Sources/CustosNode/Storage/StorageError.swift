import CustosCore
import CustosCrypto

/// Why the node's database refused or failed an operation. Equality is on `code`.
public struct StorageError: CodedError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case alreadyUsed, conflictingVote, invalidInput, databaseFailure
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A one-time secret (presignature, FROST nonce) was already used.
        public static let alreadyUsed = Code(.alreadyUsed)
        /// A vote for a different block at a height this node already voted at.
        public static let conflictingVote = Code(.conflictingVote)
        /// An argument is malformed (wrong length, empty).
        public static let invalidInput = Code(.invalidInput)
        /// SQLite reported an error; the operation did not take effect.
        public static let databaseFailure = Code(.databaseFailure)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}
