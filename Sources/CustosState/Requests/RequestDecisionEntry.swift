import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger

/// A person's approval or rejection of a request the policy held for approvals: kind
/// `request.approve` or `request.reject`, payload the request id, the person and, from version 2
/// of the payload, its `DecisionTiming` (canonical encoding), authorization their WebAuthn assertion over
/// `challenge(_:requestId:genesisDigest:timing:)`. Every node verifies it in its state
/// transition as it verifies a governance approval (rpId, origin, flags, user verification,
/// signature, counter). Version 1 payloads (no timing) still decode and verify as before.
public struct RequestDecisionEntry: Sendable, Hashable {
    public static let approveKind = "request.approve"
    public static let rejectKind = "request.reject"

    /// What the person does; each has its own challenge, so an assertion made for one can never
    /// be presented as the other.
    public enum Act: String, Sendable, Hashable, CaseIterable {
        case approve, reject
    }

    public let act: Act
    /// The request's id: lowercase hex SHA-256 of its signing input (`RecordedRequest.id`).
    public let requestId: String
    public let user: String
    public let assertion: WebAuthnAssertion.Response
    /// When the person signed it and how long they had the request before them; nil for a
    /// version 1 decision, which says neither.
    public let timing: DecisionTiming?

    public init(_ act: Act, requestId: String, user: String, assertion: WebAuthnAssertion.Response, timing: DecisionTiming? = nil) {
        self.act = act
        self.requestId = requestId
        self.user = user
        self.assertion = assertion
        self.timing = timing
    }

    static let payloadTag = "custos.request.decision.v1"
    static let timedPayloadTag = "custos.request.decision.v2"
    static let challengeTag = "custos.request.challenge.v1"
    static let timedChallengeTag = "custos.request.challenge.v2"

    /// The WebAuthn challenge for `act` on request `requestId` in the cluster whose genesis
    /// digest is `genesisDigest` (`ReplicatedState.genesisDigest`, SHA-256 of its genesis
    /// document; `GET /v1/cluster` shows it as `genesisDocumentDigest`): the request id names the request's exact content (body,
    /// initiator, timestamp and nonce), the genesis digest the cluster, so an assertion counts
    /// for this request in this cluster only. Its domain tag (`custos/request/approve`,
    /// `custos/request/reject`) is distinct from every governance and submission challenge.
    /// Nil for an id that is not 64 lowercase hex digits.
    /// With `timing`, the challenge covers it too (its own encoding tag, so a timed and an untimed
    /// challenge never coincide).
    public static func challenge(_ act: Act, requestId: String, genesisDigest: [UInt8], timing: DecisionTiming? = nil) -> [UInt8]? {
        guard isValidId(requestId), let digest = try? [UInt8](hex: requestId) else { return nil }
        var w = CanonicalWriter(tag: timing == nil ? challengeTag : timedChallengeTag)
        w.append(lengthPrefixed: genesisDigest)
        w.append(lengthPrefixed: digest)
        timing?.append(to: &w)
        return Hashes.tagged("custos/request/\(act.rawValue)", w.bytes)
    }

    /// Request ids as the log names them: 64 lowercase hex digits.
    public static func isValidId(_ id: String) -> Bool {
        id.utf8.count == 64 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The log entry.
    public func entry() throws(LedgerError) -> Entry {
        var w = CanonicalWriter(tag: timing == nil ? Self.payloadTag : Self.timedPayloadTag)
        w.append(string: requestId)
        w.append(string: user)
        timing?.append(to: &w)
        return try Entry(
            kind: act == .approve ? Self.approveKind : Self.rejectKind, payload: w.bytes,
            authorization: GovernanceEntry.encode(assertion))
    }

    /// Decodes an entry strictly; `malformed` for anything that is not one of these kinds with
    /// a well-formed request id, a person and an assertion.
    public init(_ entry: Entry) throws(GovernanceError) {
        let act: Act
        switch entry.kind {
        case Self.approveKind: act = .approve
        case Self.rejectKind: act = .reject
        default: throw GovernanceError(.malformed, "\"\(entry.kind.printable(limit: 64))\" is not a request decision")
        }
        let timed = (try? GovernanceReader(entry.payload, tag: Self.timedPayloadTag, what: "")) != nil
        var r = try GovernanceReader(entry.payload, tag: timed ? Self.timedPayloadTag : Self.payloadTag, what: "\(entry.kind) payload")
        let id = try r.string("request id", max: 64)
        let user = try r.string("user")
        let timing = timed ? try DecisionTiming.read(from: &r) : nil
        try r.finish()
        guard Self.isValidId(id) else { throw GovernanceError(.malformed, "a request id is 64 lowercase hex digits") }
        self.init(act, requestId: id, user: user, assertion: try GovernanceEntry.decodeAssertion(entry.authorization), timing: timing)
    }

    /// The person deciding, read from the entry alone (its row of `ReplicatedState.entryKinds`):
    /// it decodes strictly and carries an assertion with a signature. Whether the assertion
    /// verifies is the state's question.
    static func signer(of entry: Entry) throws(GovernanceError) -> EntrySigner {
        try personSigner(of: entry) { entry throws(GovernanceError) in
            let decoded = try RequestDecisionEntry(entry)
            return (decoded.user, decoded.assertion)
        }
    }

    /// The person who authorized `entry` with their assertion, as `decode` reads the entry:
    /// `unsigned` without an authorization or with an assertion that has no signature.
    static func personSigner(
        of entry: Entry, _ decode: (Entry) throws(GovernanceError) -> (user: String, assertion: WebAuthnAssertion.Response)
    ) throws(GovernanceError) -> EntrySigner {
        guard !entry.authorization.isEmpty else {
            throw GovernanceError(.unsigned, "a \(entry.kind) entry is authorized by the person's WebAuthn assertion; this one carries none")
        }
        let decoded = try decode(entry)
        guard !decoded.assertion.signature.isEmpty else {
            throw GovernanceError(.unsigned, "the assertion authorizing a \(entry.kind) entry has no signature")
        }
        return EntrySigner(role: .person, id: decoded.user)
    }
}
