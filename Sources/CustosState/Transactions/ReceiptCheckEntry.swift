import CustosCore
import CustosCrypto
import CustosLedger

/// The log entry by which a voting member says what its own chain endpoint holds for a recorded
/// receipt: kind `request.receipt-check`, payload the request id, the recorded transaction hash
/// it read, and the `TransactionReceipt.digest` of the receipt it read or none (its endpoint,
/// past the receipt's block, has no receipt of that hash); signed with the node's identity key
/// (`MemberSignature`). Every node checks the signature and the check in its state transition
/// (`ReplicatedState.acceptReceiptCheck`).
public struct ReceiptCheckEntry: MemberSignedEntry, Sendable, Hashable {
    public static let kind = "request.receipt-check"
    static let payloadTag = "custos.request.receipt-check.v1"
    /// Payload (an id, a hash, a flag and a digest, about 150 bytes) and authorization (a member
    /// name and a signature, about 150 bytes).
    public static let maximumBytes = 512

    public let requestId: String
    public let transactionHash: [UInt8]
    /// `TransactionReceipt.digest` of what the node read; nil for no receipt.
    public let digest: [UInt8]?

    public init(requestId: String, transactionHash: [UInt8], digest: [UInt8]?) {
        self.requestId = requestId
        self.transactionHash = transactionHash
        self.digest = digest
    }

    /// The check of `recorded` by a node that read `read` (nil: no receipt) from its endpoint.
    public init(of recorded: TransactionReceipt, read: TransactionReceipt?) {
        self.init(requestId: recorded.requestId, transactionHash: recorded.transactionHash, digest: read?.digest)
    }

    package var payload: [UInt8] {
        var w = CanonicalWriter(tag: Self.payloadTag)
        w.append(string: requestId)
        w.append(lengthPrefixed: transactionHash)
        w.append(digest != nil)
        w.append(lengthPrefixed: digest ?? [])
        return w.bytes
    }

    /// Decodes an entry's payload strictly; `malformed` for anything but this kind with a request
    /// id of 64 lowercase hex digits, a 32-byte transaction hash, and a 32-byte digest where it
    /// found a receipt and none where it did not.
    public init(_ entry: Entry) throws(GovernanceError) {
        guard entry.kind == Self.kind else { throw GovernanceError(.malformed, "\"\(entry.kind.printable(limit: 64))\" is not \(Self.kind)") }
        var r = try GovernanceReader(entry.payload, tag: Self.payloadTag, what: "\(Self.kind) payload")
        let id = try r.string("request id", max: 64)
        let hash = try r.bytes("transaction hash", max: 32)
        let found = try r.bool("found")
        let digest = try r.bytes("receipt digest", max: 32)
        try r.finish()
        guard RequestDecisionEntry.isValidId(id) else { throw GovernanceError(.malformed, "a request id is 64 lowercase hex digits") }
        guard hash.count == 32 else { throw GovernanceError(.malformed, "a transaction hash has 32 bytes, not \(hash.count)") }
        guard digest.count == (found ? 32 : 0) else {
            throw GovernanceError(.malformed, found ? "a receipt digest has 32 bytes, not \(digest.count)" : "a check that found no receipt carries no digest")
        }
        self.init(requestId: id, transactionHash: hash, digest: found ? digest : nil)
    }
}
