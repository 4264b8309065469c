import CustosCore
import CustosLedger
import Foundation

/// `POST /v1/entries`: a log entry as a client submits it. Unknown fields are refused.
public struct EntrySubmission: Codable, Sendable {
    public var kind: String
    /// The payload's canonical encoding, base64.
    public var payload: String
    /// Authorization material (signatures, assertions), base64; absent means none.
    public var authorization: String?

    public init(kind: String, payload: [UInt8], authorization: [UInt8] = []) {
        self.kind = kind
        self.payload = Data(payload).base64EncodedString()
        self.authorization = authorization.isEmpty ? nil : Data(authorization).base64EncodedString()
    }

    private enum CodingKeys: String, CodingKey, CaseIterable { case kind, payload, authorization }

    public init(from decoder: any Decoder) throws {
        try refuseUnknownFields(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(String.self, forKey: .kind)
        payload = try c.decode(String.self, forKey: .payload)
        authorization = try c.decodeIfPresent(String.self, forKey: .authorization)
    }

    /// The ledger entry, or a reason it is not one.
    public func entry() throws -> Entry {
        guard let payloadBytes = Data(base64Encoded: payload) else { throw ClusterAPIError(.malformedMessage, "payload is not base64") }
        var authorizationBytes = Data()
        if let authorization {
            guard let bytes = Data(base64Encoded: authorization) else { throw ClusterAPIError(.malformedMessage, "authorization is not base64") }
            authorizationBytes = bytes
        }
        do {
            return try Entry(kind: kind, payload: Array(payloadBytes), authorization: Array(authorizationBytes))
        } catch {
            throw ClusterAPIError(.malformedMessage, error.reason)
        }
    }
}

struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

/// `GET /v1/proposals/next`: the block in flight, in its canonical encoding, with its round and
/// (from round 1 on) the round-change certificate that justifies it.
public struct ProposalMessage: Codable, Sendable {
    public var height: UInt64
    /// `Block.serialized`, base64.
    public var block: String
    /// The round; absent for round 0.
    public var round: UInt32?
    /// `RoundChangeCertificate.serialized`, base64; absent for round 0.
    public var justification: String?

    public init(_ block: Block) {
        self.init(Proposal(block: block))
    }

    public init(_ proposal: Proposal) {
        height = proposal.block.height
        block = Data(proposal.block.serialized).base64EncodedString()
        round = proposal.round == 0 ? nil : proposal.round
        justification = proposal.justification.map { Data($0.serialized).base64EncodedString() }
    }

    public func decoded() throws -> Block {
        guard let bytes = Data(base64Encoded: block) else { throw ClusterAPIError(.malformedMessage, "block is not base64") }
        return try Block(serialized: Array(bytes))
    }

    /// The block with its round and justification (round 0 when the message names none).
    public func decodedProposal() throws -> Proposal {
        let certificate = try justification.map { text in
            guard let bytes = Data(base64Encoded: text) else { throw ClusterAPIError(.malformedMessage, "justification is not base64") }
            return try RoundChangeCertificate(serialized: Array(bytes))
        }
        return Proposal(block: try decoded(), round: round ?? 0, justification: certificate)
    }
}

/// `POST /v1/round-changes`: a node's signed round change. Unknown fields are refused.
public struct RoundChangeMessage: Codable, Sendable {
    /// `RoundChange.serialized`, base64.
    public var change: String

    public init(serialized: [UInt8]) { change = Data(serialized).base64EncodedString() }

    private enum CodingKeys: String, CodingKey, CaseIterable { case change }

    public init(from decoder: any Decoder) throws {
        try refuseUnknownFields(decoder, known: CodingKeys.allCases.map(\.rawValue))
        change = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .change)
    }

    public func decoded() throws -> RoundChange {
        guard let bytes = Data(base64Encoded: change) else { throw ClusterAPIError(.malformedMessage, "change is not base64") }
        return try RoundChange(serialized: Array(bytes))
    }
}

/// `POST /v1/votes`: a node's signed vote. Unknown fields are refused.
public struct VoteMessage: Codable, Sendable {
    /// `Vote.serialized`, base64.
    public var vote: String

    public init(serialized: [UInt8]) { vote = Data(serialized).base64EncodedString() }

    private enum CodingKeys: String, CodingKey, CaseIterable { case vote }

    public init(from decoder: any Decoder) throws {
        try refuseUnknownFields(decoder, known: CodingKeys.allCases.map(\.rawValue))
        vote = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .vote)
    }

    public func decoded() throws -> Vote {
        guard let bytes = Data(base64Encoded: vote) else { throw ClusterAPIError(.malformedMessage, "vote is not base64") }
        return try Vote(serialized: Array(bytes))
    }
}

/// What the gateway did with a vote or a round change.
public struct VoteReceipt: Codable, Sendable {
    /// `recorded`, `certified` or `ignored` for a vote; `recorded`, `proposed` or `ignored` for a round change.
    public var outcome: String
    public var detail: String?
    /// `QuorumCertificate.serialized`, base64: the certificate of the block the vote is for, when
    /// the voter asked to wait for it (`POST /v1/votes?wait=`) and it was certified in time. The
    /// voter holds that block already and checks the certificate against it; absent otherwise.
    public var certificate: String?

    public init(outcome: String, detail: String? = nil, certificate: QuorumCertificate? = nil) {
        self.outcome = outcome
        self.detail = detail
        self.certificate = certificate.map { Data($0.serialized).base64EncodedString() }
    }

    /// The certificate carried, strictly decoded (nothing verified yet); nil when none is.
    public func decodedCertificate() throws -> QuorumCertificate? {
        guard let certificate else { return nil }
        guard let bytes = Data(base64Encoded: certificate) else { throw ClusterAPIError(.malformedMessage, "certificate is not base64") }
        return try QuorumCertificate(serialized: Array(bytes))
    }
}

/// `GET /v1/blocks/{height}`: a committed block and its quorum certificate.
public struct CertifiedBlockMessage: Codable, Sendable {
    public var height: UInt64
    /// `Block.serialized`, base64.
    public var block: String
    /// `QuorumCertificate.serialized`, base64.
    public var certificate: String

    public init(_ certified: CertifiedBlock) {
        height = certified.block.height
        block = Data(certified.block.serialized).base64EncodedString()
        certificate = Data(certified.certificate.serialized).base64EncodedString()
    }

    public func decoded() throws -> CertifiedBlock {
        guard let b = Data(base64Encoded: block), let c = Data(base64Encoded: certificate) else {
            throw ClusterAPIError(.malformedMessage, "certified block is not base64")
        }
        return CertifiedBlock(block: try Block(serialized: Array(b)), certificate: try QuorumCertificate(serialized: Array(c)))
    }
}

/// `GET /health`.
public struct GatewayHealth: Codable, Sendable {
    public var status: String
    public var committedHeight: UInt64
    public var pendingHeight: UInt64?
    /// The round of the proposal in flight; absent when none is.
    public var pendingRound: UInt32?
    public var queuedEntries: Int
    public init(status: String, committedHeight: UInt64, pendingHeight: UInt64?, pendingRound: UInt32? = nil, queuedEntries: Int) {
        self.status = status
        self.committedHeight = committedHeight
        self.pendingHeight = pendingHeight
        self.pendingRound = pendingRound
        self.queuedEntries = queuedEntries
    }
}

/// A 4xx/5xx body: a stable machine code, a short title and a human detail.
public struct Problem: Codable, Sendable, Equatable {
    public var code: String
    public var title: String
    public var detail: String
    public init(code: String, title: String, detail: String) {
        self.code = code
        self.title = title
        self.detail = detail
    }
}

/// `GET /v1/entries/{digest}` answer (200): the height of the block that committed the entry and
/// its position in that block.
public struct EntryCommitted: Codable, Sendable, Equatable {
    public var entry: String
    public var height: UInt64
    public var index: Int
    public init(entry: String, height: UInt64, index: Int) {
        self.entry = entry
        self.height = height
        self.index = index
    }
}
