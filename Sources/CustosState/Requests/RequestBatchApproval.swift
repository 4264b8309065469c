import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger

/// A person's approval of several requests held for approvals with one WebAuthn assertion
/// (`request.approve-batch`): payload the ordered request ids, the person and the `DecisionTiming`
/// (when they signed, and their review of the list where it was shown), authorization their
/// assertion over `challenge(requestIds:genesisDigest:timing:)`. Every node applies it as one
/// timed `request.approve` of each listed request in order — eligibility, the initiator never
/// counting, expiry, the hourly bound counted per request, the policy in force and the freeze
/// when one is filled — or, if any listed request may not be approved so, refuses the whole
/// entry with the reason and applies none of it.
public struct RequestBatchApproval: Sendable, Hashable {
    public static let kind = "request.approve-batch"
    /// The most requests one batch approves.
    public static let maximumRequests = 20

    static let payloadTag = "custos.request.batch-approval.v1"
    static let challengeTag = "custos.request.batch-challenge.v1"

    /// In the order the person was shown them; each once.
    public let requestIds: [String]
    public let user: String
    public let assertion: WebAuthnAssertion.Response
    public let timing: DecisionTiming

    public init(requestIds: [String], user: String, assertion: WebAuthnAssertion.Response, timing: DecisionTiming) {
        self.requestIds = requestIds
        self.user = user
        self.assertion = assertion
        self.timing = timing
    }

    /// The WebAuthn challenge of a batch approval of `requestIds`, in their order, in the
    /// cluster whose genesis digest is `genesisDigest`, with `timing`:
    /// `tagged("custos/request/approve-batch", tag ‖ genesis ‖ count ‖ each id's 32 bytes ‖ timing)`
    /// in the canonical encoding. Its domain tag differs from a single decision's
    /// (`custos/request/approve`), so a batch assertion never counts as a single approval nor
    /// one of those as a batch. Nil for a list that is empty, longer than `maximumRequests`,
    /// repeats an id, or holds one that is not 64 lowercase hex digits.
    public static func challenge(requestIds: [String], genesisDigest: [UInt8], timing: DecisionTiming) -> [UInt8]? {
        guard problem(with: requestIds) == nil else { return nil }
        var w = CanonicalWriter(tag: challengeTag)
        w.append(lengthPrefixed: genesisDigest)
        w.append(count: requestIds.count)
        for id in requestIds {
            guard let digest = try? [UInt8](hex: id) else { return nil }
            w.append(lengthPrefixed: digest)
        }
        timing.append(to: &w)
        return Hashes.tagged("custos/request/approve-batch", w.bytes)
    }

    /// What is wrong with a batch's list of request ids, in words; nil when nothing is.
    public static func problem(with requestIds: [String]) -> String? {
        guard !requestIds.isEmpty else { return "a batch approval lists no request" }
        guard requestIds.count <= maximumRequests else {
            return "a batch approval lists at most \(maximumRequests) requests, this one \(requestIds.count)"
        }
        var seen: Set<String> = []
        for id in requestIds {
            guard RequestDecisionEntry.isValidId(id) else { return "a request id is 64 lowercase hex digits" }
            guard seen.insert(id).inserted else { return "a batch approval lists request \(id) twice" }
        }
        return nil
    }

    /// The log entry.
    public func entry() throws(LedgerError) -> Entry {
        var w = CanonicalWriter(tag: Self.payloadTag)
        w.append(strings: requestIds)
        w.append(string: user)
        timing.append(to: &w)
        return try Entry(kind: Self.kind, payload: w.bytes, authorization: GovernanceEntry.encode(assertion))
    }

    /// Decodes an entry strictly; `malformed` for anything that is not this kind with a list
    /// `problem(with:)` finds nothing wrong with, a person, a timing and an assertion.
    public init(_ entry: Entry) throws(GovernanceError) {
        guard entry.kind == Self.kind else {
            throw GovernanceError(.malformed, "\"\(entry.kind.printable(limit: 64))\" is not a batch approval")
        }
        var r = try GovernanceReader(entry.payload, tag: Self.payloadTag, what: "\(Self.kind) payload")
        let ids = try r.strings("request ids")
        let user = try r.string("user")
        let timing = try DecisionTiming.read(from: &r)
        try r.finish()
        if let problem = Self.problem(with: ids) { throw GovernanceError(.malformed, problem) }
        self.init(requestIds: ids, user: user, assertion: try GovernanceEntry.decodeAssertion(entry.authorization), timing: timing)
    }

    /// The person approving, read from the entry alone (its row of `ReplicatedState.entryKinds`).
    static func signer(of entry: Entry) throws(GovernanceError) -> EntrySigner {
        try RequestDecisionEntry.personSigner(of: entry) { entry throws(GovernanceError) in
            let decoded = try RequestBatchApproval(entry)
            return (decoded.user, decoded.assertion)
        }
    }
}
