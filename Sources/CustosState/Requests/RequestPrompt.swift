import CustosCore
import CustosCrypto
import CustosPolicy

/// What a person is asked when a request waits for their approval, as every node's policy
/// view reads it: the request (initiator, kind, vault, chain, destination, asset, amount, fee,
/// decoded call or message, memo) and the approvals it waits for. Two pending requests with
/// equal prompts are identical to the person: the console shows them as one line and lets them
/// approve all with one assertion (`RequestBatchApproval`) rather than ask again and again.
/// Only the request's own id and the approvals counted so far are left out. Since the policy
/// view keeps only what rules read (a raw message's length, an unknown call's selector, a Safe
/// call's inner target), the prompt also holds the SHA-256 of the canonical body without its
/// `id` member: two requests whose bodies differ in anything else are never one prompt.
public struct RequestPrompt: Sendable, Hashable {
    public let request: PolicyRequest
    public let pending: [PolicyDecision.PendingApproval]
    public let body: [UInt8]

    public init(_ recorded: RecordedRequest) {
        var request = recorded.request
        request.id = ""
        request.approvals = []
        self.request = request
        pending = recorded.decision.pending
        body = Self.bodyDigest(recorded.body)
    }

    /// SHA-256 of `canonical` (a recorded body, RFC 8785) with a top-level `id` member removed;
    /// of the bytes as they are when they do not parse as an object.
    public static func bodyDigest(_ canonical: [UInt8]) -> [UInt8] {
        guard case .object(let members)? = try? JSONParser().parse(canonical) else { return Hashes.sha256(canonical) }
        return Hashes.sha256(JCS.canonicalBytes(.object(members.filter { $0.key != "id" })))
    }
}
