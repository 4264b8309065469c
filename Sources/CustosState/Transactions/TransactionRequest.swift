/// The body of a request to move funds or call a contract on an EVM chain, as its submitter
/// signs it and the log commits it:
///
///     {"kind": "transfer", "id": "top-up-7", "initiator": "risk-bot", "vault": "hot-trading",
///      "from": "trading-1", "chain": "ethereum", "asset": "USDC",
///      "to": "0x2e6d88f471c41bd6dc54146e5eea659498ccba8f", "amount": "250000", "memo": "…"}
///
///     {"kind": "contract_call", "id": "…", "initiator": "…", "vault": "…", "from": "0x…",
///      "chain": "ethereum", "to": "0x…", "value": "0", "data": "0x095ea7b3…", "memo": "…"}
///
///     {"kind": "deploy", "id": "…", "initiator": "…", "vault": "…", "from": "0x…", "chain": "ethereum",
///      "init_code": "0x…", "arguments": "0x…", "runtime_code_hash": "0x…",
///      "expected_state": [{"function": "owner()", "returns": "0x000…"}], "memo": "…"}
///
/// It says what will be signed and nothing more: every node resolves it against the registered
/// assets and the vault's addresses (`resolve(in:)`) into the EVM call it will sign and the
/// policy's view of it (destination, decoded call, amount in the asset's units); the submitter
/// supplies neither. Read from the verified JSON value by `init(json:)`.
public struct TransactionRequest: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case transfer
        case contractCall = "contract_call"
        /// A contract creation (`to` empty): `deployment` says what it creates.
        case deploy
    }

    public let kind: Kind
    /// The submitter's own reference.
    public let id: String
    public let initiator: String
    public let vault: String
    /// An EVM address of the vault: its label (`add-vault-address`) or the address itself.
    public let from: String
    /// The chain by the name the policy and the asset registry use.
    public let chain: String
    /// A transfer's asset symbol, registered on `chain`; empty for a contract call.
    public let asset: String
    /// A transfer's recipient, or the contract a call targets (a `0x` address); empty for a deployment.
    public let to: String
    /// A transfer's amount, or a call's or deployment's native value, in the asset's own units ("1.5" ETH), as
    /// written: a decimal string with no more fractional digits than the asset has decimals.
    public let amount: String
    /// A contract call's calldata (empty for a transfer).
    public let data: [UInt8]
    public let memo: String
    /// A deployment's init code, constructor arguments and expected outcome; nil for the other kinds.
    public let deployment: ContractDeployment?

    /// Bounds on what a body may carry; a body beyond them is refused, never cut.
    public static let maximumNameBytes = 128
    public static let maximumMemoBytes = 1024
    public static let maximumAmountBytes = 80
    public static let maximumDataBytes = 24 * 1024

    public init(
        kind: Kind, id: String, initiator: String, vault: String, from: String, chain: String, asset: String = "", to: String,
        amount: String, data: [UInt8] = [], memo: String = "", deployment: ContractDeployment? = nil
    ) {
        self.kind = kind
        self.id = id
        self.initiator = initiator
        self.vault = vault
        self.from = from
        self.chain = chain
        self.asset = asset
        self.to = to
        self.amount = amount
        self.data = data
        self.memo = memo
        self.deployment = deployment
    }
}
