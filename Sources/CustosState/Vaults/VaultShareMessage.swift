import CustosCore
import CustosLedger

/// The plaintext of a ceremony's secret round-2 message, sealed in a `SignedEnvelope` from one
/// participant to another: the vault, epoch and recipient it is for, and the DKG round-2
/// package. Naming the recipient inside the signed plaintext means a share shown as evidence in
/// a complaint proves for whom it was made: a node cannot pass off a share meant for a peer as
/// one meant for itself.
public struct VaultShareMessage: Sendable, Hashable, CustomStringConvertible {
    public let vault: String
    public let epoch: UInt32
    public let recipient: NodeID
    /// DKG round-2 package, wire encoding: secret.
    let share: [UInt8]

    public init(vault: String, epoch: UInt32, recipient: NodeID, unsafeShare share: [UInt8]) {
        self.vault = vault
        self.epoch = epoch
        self.recipient = recipient
        self.share = share
    }

    /// The share's bytes, for the recipient's DKG part 3.
    public var unsafeShare: [UInt8] { share }

    public var description: String { "VaultShareMessage(\(vault) epoch \(epoch) for \(recipient), redacted)" }

    static let tag = "custos.vault.share.v1"

    public var encoded: [UInt8] {
        var w = CanonicalWriter(tag: Self.tag)
        w.append(string: vault)
        w.append(epoch)
        w.append(string: recipient.rawValue)
        w.append(lengthPrefixed: share)
        return w.bytes
    }

    public init(encoded bytes: [UInt8]) throws(GovernanceError) {
        var r = try GovernanceReader(bytes, tag: Self.tag, what: "vault share message")
        let vault = try r.string("vault")
        let epoch = try r.uint32("epoch")
        let recipient = try r.string("recipient", max: 64)
        let share = try r.bytes("share", max: 256)
        try r.finish()
        do { self.init(vault: vault, epoch: epoch, recipient: try NodeID(recipient), unsafeShare: share) } catch {
            throw r.fail("recipient: \(error.reason)")
        }
    }
}
