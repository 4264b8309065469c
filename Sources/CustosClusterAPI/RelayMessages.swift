import CustosCore
import Foundation

/// `POST /v1/relay/messages`: sealed envelopes (`SignedEnvelope`), each for a named recipient
/// node. Unknown fields are refused.
public struct RelayPost: Codable, Sendable {
    public var messages: [RelayPostMessage]

    public init(messages: [RelayPostMessage]) { self.messages = messages }

    private enum CodingKeys: String, CodingKey, CaseIterable { case messages }

    public init(from decoder: any Decoder) throws {
        try refuseUnknownFields(decoder, known: CodingKeys.allCases.map(\.rawValue))
        messages = try decoder.container(keyedBy: CodingKeys.self).decode([RelayPostMessage].self, forKey: .messages)
    }
}

/// One envelope of a `RelayPost` and the node id it is for.
public struct RelayPostMessage: Codable, Sendable {
    public var recipient: String
    /// The sealed envelope, base64.
    public var envelope: String

    public init(recipient: String, envelope: [UInt8]) {
        self.recipient = recipient
        self.envelope = Data(envelope).base64EncodedString()
    }

    private enum CodingKeys: String, CodingKey, CaseIterable { case recipient, envelope }

    public init(from decoder: any Decoder) throws {
        try refuseUnknownFields(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        recipient = try c.decode(String.self, forKey: .recipient)
        envelope = try c.decode(String.self, forKey: .envelope)
    }

    /// The envelope's bytes, or a reason they are not base64.
    public func envelopeBytes() throws(ClusterAPIError) -> [UInt8] {
        guard let bytes = Data(base64Encoded: envelope) else { throw ClusterAPIError(.malformedMessage, "envelope is not base64") }
        return Array(bytes)
    }
}

/// `POST /v1/relay/messages` answer (202): how many envelopes are stored for their recipients.
public struct RelayPostReceipt: Codable, Sendable, Equatable {
    public var stored: Int

    public init(stored: Int) { self.stored = stored }
}

/// `GET /v1/relay/inbox` answer (200): the envelopes waiting for the node after its cursor,
/// oldest first, and the cursor to acknowledge them with (`after=next`).
public struct RelayInbox: Codable, Sendable {
    public var messages: [RelayInboxMessage]
    public var next: Int64

    public init(messages: [RelayInboxMessage], next: Int64) {
        self.messages = messages
        self.next = next
    }
}

/// One envelope in a node's inbox, with what the relay says about it (unauthenticated: the
/// receiver trusts only what opening the envelope proves).
public struct RelayInboxMessage: Codable, Sendable, Equatable {
    public var cursor: Int64
    /// The session id from the envelope's header, hex.
    public var sessionId: String
    public var round: Int
    /// The node that posted it.
    public var sender: String
    /// The sealed envelope, base64.
    public var envelope: String
    /// When the gateway stored it, milliseconds since the Unix epoch.
    public var created: UInt64

    public init(cursor: Int64, sessionID: [UInt8], round: UInt16, sender: String, envelope: [UInt8], created: UInt64) {
        self.cursor = cursor
        sessionId = sessionID.hexString
        self.round = Int(round)
        self.sender = sender
        self.envelope = Data(envelope).base64EncodedString()
        self.created = created
    }
}
