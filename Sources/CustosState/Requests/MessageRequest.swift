import CustosPolicy

/// The body of a request to sign a message, as its submitter signs it and the log commits it:
///
///     {"kind": "message", "id": "wd-7", "initiator": "risk-bot", "vault": "hot-trading",
///      "memo": "…", "message": {"format": "eip191", "text": "…"}}
///
/// `message` is one of `{"format": "eip191", "text": …}`, `{"format": "eip191", "hex": "0x…"}`,
/// `{"format": "eip712", "typedData": {types, primaryType, domain, message}}`,
/// `{"format": "bip340", "hex": …}` or `{"format": "raw", "hex": …}`. Read by
/// `init(json:)`; the policy's view (`policyRequest()`) and the signing input
/// (`MessageSigningInput`) are both derived from it, by every node, never supplied.
public struct MessageRequest: Sendable, Hashable {
    /// The submitter's own reference (at most `maximumNameBytes`).
    public let id: String
    public let initiator: String
    public let vault: String
    public let memo: String
    public let message: SignableMessage

    /// Bounds on what a body may carry; a body beyond them is refused, never cut.
    public static let maximumNameBytes = 128
    public static let maximumMemoBytes = 1024
    /// Bytes of an EIP-191, BIP-340 or raw message (text counts its UTF-8 bytes).
    public static let maximumMessageBytes = 16_384
    /// Struct types an EIP-712 document declares, and members per type.
    public static let maximumTypes = 64
    public static let maximumMembers = 64
    /// Atomic values of an EIP-712 message (what the policy's `fields` holds).
    public static let maximumFields = 256

    public init(id: String, initiator: String, vault: String, memo: String = "", message: SignableMessage) {
        self.id = id
        self.initiator = initiator
        self.vault = vault
        self.memo = memo
        self.message = message
    }
}
