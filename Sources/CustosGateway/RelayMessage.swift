import CustosCrypto

/// One sealed envelope the relay holds for its recipient: routing fields copied from the
/// envelope's clear header and the poster's authenticated id, and the envelope itself, which the
/// gateway cannot open.
public struct RelayMessage: Sendable, Hashable {
    public let sessionID: [UInt8]
    public let round: UInt16
    /// The node that posted it (authenticated by its request signature).
    public let sender: String
    public let recipient: String
    /// The whole sealed envelope: clear header, HPKE encapsulated key and ciphertext.
    public let envelope: [UInt8]
    /// When it was stored, milliseconds since the Unix epoch.
    public let created: UInt64
    /// When it is deleted if not acknowledged first (the session's end), milliseconds since the Unix epoch.
    public let expires: UInt64

    public init(sessionID: [UInt8], round: UInt16, sender: String, recipient: String, envelope: [UInt8], created: UInt64, expires: UInt64) {
        self.sessionID = sessionID
        self.round = round
        self.sender = sender
        self.recipient = recipient
        self.envelope = envelope
        self.created = created
        self.expires = expires
    }

    /// Names the envelope for deduplication: a replayed post does not store it twice.
    var digest: [UInt8] { Hashes.sha256(envelope) }
}
