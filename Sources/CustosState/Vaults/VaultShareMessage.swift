import CustosCore
import CustosLedger

/// The plaintext of a share one node seals for another in a `SignedEnvelope`: a key ceremony's
/// secret round-2 share (DKG round-2 package), or a signer's signature share for a request's
/// signing attempt (FROST signature share). It names the vault, epoch, request and attempt
/// (signing only) and recipient it is for: a share shown as evidence in a complaint or blame
/// proves what it was made for and for whom — a node cannot pass off a share meant for a peer,
/// or for another attempt, as one meant for itself.
public struct VaultShareMessage: Sendable, Hashable, CustomStringConvertible {
    /// The signing attempt a signature share belongs to; nil for a key ceremony's share.
    public struct Signing: Sendable, Hashable {
        public let request: String
        public let attempt: UInt32

        public init(request: String, attempt: UInt32) {
            self.request = request
            self.attempt = attempt
        }
    }

    public let vault: String
    public let epoch: UInt32
    public let signing: Signing?
    public let recipient: NodeID
    /// The share, wire encoding (a DKG share is secret).
    let share: [UInt8]

    public init(vault: String, epoch: UInt32, signing: Signing? = nil, recipient: NodeID, unsafeShare share: [UInt8]) {
        self.vault = vault
        self.epoch = epoch
        self.signing = signing
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
        w.append(optional: signing.map { s in
            var e = CanonicalWriter()
            e.append(string: s.request)
            e.append(s.attempt)
            return e.bytes
        })
        w.append(string: recipient.rawValue)
        w.append(lengthPrefixed: share)
        return w.bytes
    }

    public init(encoded bytes: [UInt8]) throws(GovernanceError) {
        var r = try GovernanceReader(bytes, tag: Self.tag, what: "vault share message")
        let vault = try r.string("vault")
        let epoch = try r.uint32("epoch")
        var signing: Signing?
        if let bytes = try r.optionalBytes("signing") {
            var s = GovernanceReader(bytes, what: "signing attempt")
            signing = Signing(request: try s.string("request", max: 128), attempt: try s.uint32("attempt"))
            try s.finish()
        }
        let recipient = try r.node("recipient")
        let share = try r.bytes("share", max: 256)
        try r.finish()
        self.init(vault: vault, epoch: epoch, signing: signing, recipient: recipient, unsafeShare: share)
    }
}
