/// What a signer node asks the policy about: a transfer, a contract call, a message to sign, or a
/// governance operation, as committed to the log. Chain-neutral: the chain layer decodes transactions into
/// this form (for an ERC-20 transfer, `asset` is the token and `destination` the recipient).
/// A contract call that moves tokens is seen the same way: `asset`, `amount` and `destination`
/// are the token, the decoded amount and the recipient (for an approval, the spender), so it
/// is charged against limits and USD clauses exactly like a transfer of that token.
///
/// Addresses are compared case-insensitively for `0x` hex addresses and exactly otherwise.
public struct PolicyRequest: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case transfer
        case contractCall = "contract_call"
        /// A contract creation from a vault address: `call` is `contract.create` with the
        /// runtime code hash the request expects (`runtime_code_hash`) as argument.
        case deploy
        /// A message signed off-chain (EIP-191, EIP-712, BIP-340 or raw): `message` says what.
        case message
        case governance
    }

    /// A decoded contract call (the chain layer decodes it; the policy never sees raw hex data).
    public struct ContractCall: Sendable, Hashable, Codable {
        /// The contract called.
        public var target: String
        /// The function's name, e.g. `approve`.
        public var function: String
        /// The 4-byte selector in hex, e.g. `0x095ea7b3`.
        public var selector: String
        /// Decoded address and text arguments by parameter name (e.g. `spender`).
        public var arguments: [String: String]
        /// Decoded numeric arguments by parameter name, in the token's units. A value that does
        /// not fit a `FixedDecimal` (an "unlimited" approval) is absent from here and named in
        /// `oversizedAmounts`; reading it is an evaluation error, which fails closed.
        public var amounts: [String: FixedDecimal]
        public var oversizedAmounts: Set<String>

        public init(
            target: String, function: String, selector: String = "",
            arguments: [String: String] = [:], amounts: [String: FixedDecimal] = [:],
            oversizedAmounts: Set<String> = []
        ) {
            self.target = target
            self.function = function
            self.selector = selector
            self.arguments = arguments
            self.amounts = amounts
            self.oversizedAmounts = oversizedAmounts
        }
    }

    public var id: String
    public var kind: Kind
    /// The user or bot that initiated the request (already authenticated by the ledger).
    public var initiator: String
    public var vault: String
    public var account: String
    public var chain: String
    public var asset: String
    /// Amount in the asset's own units (e.g. `1.5` ETH), not base units.
    public var amount: FixedDecimal
    /// Maximum fee the transaction may pay, in the chain's native asset.
    public var fee: FixedDecimal
    /// The destination address: the recipient of a transfer; for a contract call that moves
    /// tokens the decoded recipient (for an approval, the spender), for any other contract call
    /// the contract.
    public var destination: String
    /// Every other address the request sends value or grants authority to, as the chain layer
    /// decoded it: an NFT's recipient, a `setApprovalForAll` operator, a new owner, admin or role
    /// holder, and a Safe's or a multisend's inner calls (their targets and, in turn, these
    /// addresses of theirs). The look-alike and poisoned flags and the cooling-off hold read them
    /// with `destination` (`EvaluationContext.recipients`; an EIP-712 message's address leaves
    /// too). Empty for a plain transfer.
    public var recipients: [String]
    /// Why this request has no USD notional whatever prices the state holds, or nil: set by the
    /// chain layer for a call that moves tokens it cannot price (a token contract that is not a
    /// registered asset, an amount beyond the policy's decimals, the funds of a Safe). Every
    /// `amount_usd` clause and USD limit then fails closed with this reason.
    public var unpriced: String?
    public var call: ContractCall?
    /// For `kind == .message`: the message as every node decoded it from the committed body.
    public var message: Message?
    /// For `kind == .governance`: the operation proposed.
    public var operation: GovernanceOperation?
    public var memo: String
    /// People whose approvals of this exact request have been verified (WebAuthn) by the ledger.
    public var approvals: [String]

    public init(
        id: String = "", kind: Kind = .transfer, initiator: String, vault: String = "", account: String = "",
        chain: String = "", asset: String = "", amount: FixedDecimal = .zero, fee: FixedDecimal = .zero,
        destination: String = "", recipients: [String] = [], unpriced: String? = nil, call: ContractCall? = nil, message: Message? = nil, operation: GovernanceOperation? = nil,
        memo: String = "", approvals: [String] = []
    ) {
        self.id = id
        self.kind = kind
        self.initiator = initiator
        self.vault = vault
        self.account = account
        self.chain = chain
        self.asset = asset
        self.amount = amount
        self.fee = fee
        self.destination = destination
        self.recipients = recipients
        self.unpriced = unpriced
        self.call = call
        self.message = message
        self.operation = operation
        self.memo = memo
        self.approvals = approvals
    }
}
