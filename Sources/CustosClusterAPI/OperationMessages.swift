import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import Foundation

/// A WebAuthn assertion as a browser's `PublicKeyCredential` JSON carries it: every field
/// base64url. Unknown fields are refused.
public struct AssertionMessage: Codable, Sendable, Equatable {
    public var credentialId: String
    public var authenticatorData: String
    public var clientDataJSON: String
    public var signature: String
    public var userHandle: String?

    public init(_ a: WebAuthnAssertion.Response) {
        credentialId = Base64URL.encode(a.credentialId)
        authenticatorData = Base64URL.encode(a.authenticatorData)
        clientDataJSON = Base64URL.encode(a.clientDataJSON)
        signature = Base64URL.encode(a.signature)
        userHandle = a.userHandle.map(Base64URL.encode)
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case credentialId, authenticatorData, clientDataJSON, signature, userHandle
    }

    public init(from decoder: any Decoder) throws {
        try refuseUnknownFields(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        credentialId = try c.decode(String.self, forKey: .credentialId)
        authenticatorData = try c.decode(String.self, forKey: .authenticatorData)
        clientDataJSON = try c.decode(String.self, forKey: .clientDataJSON)
        signature = try c.decode(String.self, forKey: .signature)
        userHandle = try c.decodeIfPresent(String.self, forKey: .userHandle)
    }

    public func decoded() throws -> WebAuthnAssertion.Response {
        func field(_ name: String, _ text: String) throws -> [UInt8] {
            guard let bytes = Base64URL.decode(text) else { throw ClusterAPIError(.malformedMessage, "assertion.\(name) is not base64url") }
            return bytes
        }
        return WebAuthnAssertion.Response(
            credentialId: try field("credentialId", credentialId), authenticatorData: try field("authenticatorData", authenticatorData),
            clientDataJSON: try field("clientDataJSON", clientDataJSON), signature: try field("signature", signature),
            userHandle: try userHandle.map { try field("userHandle", $0) })
    }
}

/// `POST /v1/operations`: a proposal (its canonical encoding, base64) and the proposer's
/// assertion over its `propose` challenge.
public struct ProposeMessage: Codable, Sendable {
    public var proposal: String
    public var assertion: AssertionMessage

    public init(proposal: GovernanceProposal, assertion: WebAuthnAssertion.Response) {
        self.proposal = Data(proposal.encoded).base64EncodedString()
        self.assertion = AssertionMessage(assertion)
    }

    private enum CodingKeys: String, CodingKey, CaseIterable { case proposal, assertion }

    public init(from decoder: any Decoder) throws {
        try refuseUnknownFields(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        proposal = try c.decode(String.self, forKey: .proposal)
        assertion = try c.decode(AssertionMessage.self, forKey: .assertion)
    }

    /// The log entry, or why there is none.
    public func entry() throws -> Entry {
        guard let bytes = Data(base64Encoded: proposal) else { throw ClusterAPIError(.malformedMessage, "proposal is not base64") }
        let decoded: GovernanceProposal
        do { decoded = try GovernanceProposal(encoded: Array(bytes)) } catch { throw ClusterAPIError(.malformedMessage, error.reason) }
        return try GovernanceEntry.propose(decoded, assertion: try assertion.decoded()).entry()
    }
}

/// `POST /v1/operations/{id}/approvals` and `/rejections`: who acts, and their assertion over
/// the operation's `approve` or `reject` challenge.
public struct DecisionMessage: Codable, Sendable {
    public var user: String
    public var assertion: AssertionMessage
    /// When the decision was signed (the signer's clock, milliseconds since the Unix epoch) and
    /// the review measured before it (milliseconds), both covered by the assertion
    /// (`DecisionTiming`), for requests and operations alike. Absent in an untimed decision.
    public var signedAt: UInt64?
    public var reviewMillis: UInt64?

    public init(user: String, assertion: WebAuthnAssertion.Response, timing: DecisionTiming? = nil) {
        self.user = user
        self.assertion = AssertionMessage(assertion)
        signedAt = timing?.signedAt
        reviewMillis = timing?.reviewMillis
    }

    private enum CodingKeys: String, CodingKey, CaseIterable { case user, assertion, signedAt, reviewMillis }

    public init(from decoder: any Decoder) throws {
        try refuseUnknownFields(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        user = try c.decode(String.self, forKey: .user)
        assertion = try c.decode(AssertionMessage.self, forKey: .assertion)
        signedAt = try c.decodeIfPresent(UInt64.self, forKey: .signedAt)
        reviewMillis = try c.decodeIfPresent(UInt64.self, forKey: .reviewMillis)
    }

    /// The timing the message carries: nil without `signedAt`; a review without a signing time
    /// is refused.
    public func timing() throws(ClusterAPIError) -> DecisionTiming? {
        guard let signedAt else {
            guard reviewMillis == nil else { throw ClusterAPIError(.malformedMessage, "a decision with reviewMillis also says when it was signed (signedAt)") }
            return nil
        }
        return DecisionTiming(signedAt: signedAt, reviewMillis: reviewMillis)
    }

    /// The `governance.approve` or `governance.reject` entry this message asks for on operation
    /// `operationId`, timed when the message says when it was signed.
    public func entry(operationId: String, approve: Bool) throws -> Entry {
        let a = try assertion.decoded()
        let timing = try timing()
        let action: GovernanceEntry = approve
            ? .approve(operationId: operationId, user: user, assertion: a, timing: timing)
            : .reject(operationId: operationId, user: user, assertion: a, timing: timing)
        return try action.entry()
    }
}

/// What the gateway answers to a queued entry: where it waits, and what the committed state
/// would do with it now (a preview: the nodes decide when it is in a block).
public struct EntryReceipt: Codable, Sendable, Equatable {
    public var queued: Int64
    /// The entry's identity (`Entry.digest`, 64 hex digits), with which
    /// `GET /v1/entries/{digest}` reports where it committed.
    public var entry: String
    /// `applies`, or `refused: <code>: <reason>` against the committed state.
    public var preview: String?

    /// `entry` as a ledger hash (nil only if a peer sent something else).
    public var entryDigest: LedgerHash? { try? LedgerHash(hex: entry) }

    public init(queued: Int64, entry: String, preview: String?) {
        self.queued = queued
        self.entry = entry
        self.preview = preview
    }
}

/// Throws a `ClusterAPIError` of code `unknownField` if the JSON object has a member not in `known`.
func refuseUnknownFields(_ decoder: any Decoder, known: [String]) throws {
    let any = try decoder.container(keyedBy: AnyCodingKey.self)
    let names = Set(known)
    if let unknown = any.allKeys.first(where: { !names.contains($0.stringValue) }) {
        // The name is the sender's: at most 64 characters of it, escaped, reach logs and answers.
        let shown = unknown.stringValue.printable(limit: 64)
        throw ClusterAPIError(.unknownField, "unknown field \"\(shown)\"", context: .init(field: shown))
    }
}

/// What `custos node join-request` prints: a node's id, identity key, transport key and proof
/// of possession (signed over both keys), for an admin to propose `add-member` with.
public struct JoinRequest: Codable, Sendable, Equatable {
    public var id: String
    /// Ed25519 identity public key, hex.
    public var publicKey: String
    /// X25519 transport public key, hex.
    public var transportKey: String
    /// Signature over `ReplicatedState.membershipProofMessage`, hex.
    public var proof: String

    public init(member: Member, proof: [UInt8]) {
        id = member.id.rawValue
        publicKey = member.publicKeyBytes.hexString
        transportKey = member.transportKeyBytes.hexString
        self.proof = proof.hexString
    }

    public func decoded() throws -> (Member, [UInt8]) {
        let member = try ClusterFile.MemberKey(id: id, publicKey: publicKey, transportKey: transportKey).member(code: .malformedMessage)
        guard proof.utf8.count == 128, let signature = try? [UInt8](hex: proof), signature.count == 64 else { throw ClusterAPIError(.malformedMessage, "join request: proof is not 128 hex digits") }
        return (member, signature)
    }
}
