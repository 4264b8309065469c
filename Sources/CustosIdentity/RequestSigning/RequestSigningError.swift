import CustosCore
import CustosCrypto

/// Why a bot's signed request was refused. Equality is on `code` only; `reason` is for people.
public struct RequestSigningError: CodedError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case malformed, unknownField, wrongKey, badSignature, staleTimestamp, futureTimestamp,
                replayedNonce, replayCacheFull, invalidKey
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The envelope is not JSON of the expected shape (types, lengths, encodings).
        public static let malformed = Code(.malformed)
        /// The envelope has a member other than body, keyId, timestamp, nonce and signature.
        public static let unknownField = Code(.unknownField)
        /// The request names a key other than the one it is verified with.
        public static let wrongKey = Code(.wrongKey)
        /// The signature does not verify over the canonical signing input.
        public static let badSignature = Code(.badSignature)
        /// The timestamp is older than the allowed clock skew.
        public static let staleTimestamp = Code(.staleTimestamp)
        /// The timestamp is further in the future than the allowed clock skew.
        public static let futureTimestamp = Code(.futureTimestamp)
        /// The nonce was already used by this key within the window.
        public static let replayedNonce = Code(.replayedNonce)
        /// The replay cache is full; the request is refused rather than the cache forgetting.
        public static let replayCacheFull = Code(.replayCacheFull)
        /// Public key bytes that are not a valid key of their algorithm.
        public static let invalidKey = Code(.invalidKey)

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
