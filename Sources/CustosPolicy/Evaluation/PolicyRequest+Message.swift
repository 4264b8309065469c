extension PolicyRequest {
    /// The policy's view of a message to sign. Never written by a submitter: every node derives
    /// it from the committed request body (the requests room does), so that what the policy
    /// decides is exactly what the signing input is computed from.
    public struct Message: Sendable, Hashable, Codable {
        public enum Format: String, Sendable, Hashable, CaseIterable, Codable {
            /// EIP-191 version 0x45 (`personal_sign`), for ECDSA vaults.
            case eip191
            /// EIP-712 typed structured data, for ECDSA vaults.
            case eip712
            /// A BIP-340 Schnorr message, for Taproot vaults.
            case bip340
            /// Raw bytes (Ed25519 signs the message itself), for Ed25519 vaults.
            case raw
        }

        /// The EIP-712 domain as the typed data declares it; a member the domain does not declare
        /// is nil. `chainId` is decimal text, `verifyingContract` and `salt` lowercase `0x` hex.
        public struct Domain: Sendable, Hashable, Codable {
            public var name: String?
            public var version: String?
            public var chainId: String?
            public var verifyingContract: String?
            public var salt: String?

            /// A domain that declares no member; readers set the members it declares.
            public init() {}
        }

        public var format: Format
        /// Bytes of the message signed (EIP-191, BIP-340, raw); 0 for EIP-712.
        public var length: Int
        /// For EIP-191: the message as text when it is valid UTF-8, else nil.
        public var text: String?
        /// For EIP-712: the domain and the primary type.
        public var domain: Domain?
        public var primaryType: String?
        /// For EIP-712: every leaf of the message by dotted path (`details.amount`, `items.0.to`),
        /// as text: strings as written, integers in decimal, addresses and bytes in lowercase
        /// `0x` hex, booleans as `true`/`false`.
        public var fields: [String: String]
        /// For EIP-712: the integer leaves that fit a `FixedDecimal`, by path. An integer too large
        /// (an "unlimited" permit) is absent here and named in `oversizedAmounts`; reading it is an
        /// evaluation error, which fails closed.
        public var amounts: [String: FixedDecimal]
        public var oversizedAmounts: Set<String>

        public init(
            format: Format, length: Int = 0, text: String? = nil, domain: Domain? = nil, primaryType: String? = nil,
            fields: [String: String] = [:], amounts: [String: FixedDecimal] = [:], oversizedAmounts: Set<String> = []
        ) {
            self.format = format
            self.length = length
            self.text = text
            self.domain = domain
            self.primaryType = primaryType
            self.fields = fields
            self.amounts = amounts
            self.oversizedAmounts = oversizedAmounts
        }
    }
}
