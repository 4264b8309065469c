import CustosIdentity
import CustosLedger

extension GovernanceState {
    /// Why every node refuses a whole block that carries `entry`, whatever state the entry meets:
    /// the transition's `malformed` checks, which read the entry alone — a governance entry or a
    /// signed request that does not decode, a person's request that also carries a signature, an
    /// operation id or lifetime out of range. Nil if the entry may go into a block; the state
    /// then decides what it does (and may refuse it, recorded). No signature is verified and no
    /// policy evaluated, so a gateway may ask this for every entry it queues or proposes.
    public static func malformation(of entry: Entry) -> GovernanceError? {
        do throws(GovernanceError) {
            if entry.kind == RequestEntry.submitKind {
                let signed = try signedRequest(in: entry)
                if !entry.authorization.isEmpty { _ = try personAssertion(signed, in: entry) }
            } else if entry.kind.hasPrefix(GovernanceEntry.kindPrefix), case .propose(let proposal, _) = try GovernanceEntry(entry) {
                try proposal.checkId()
                try proposal.checkLifetime()
            }
            return nil
        } catch {
            return error
        }
    }

    /// The envelope of a `request.submit` entry; `malformed` if it does not parse strictly.
    static func signedRequest(in entry: Entry) throws(GovernanceError) -> SignedRequest {
        do { return try SignedRequest(json: entry.payload) } catch {
            throw GovernanceError(.malformed, error.reason, requestSigning: error.code)
        }
    }

    /// The assertion authorizing a person's request (an entry with an authorization); `malformed`
    /// if the envelope also carries a signature or the assertion does not decode.
    static func personAssertion(_ signed: SignedRequest, in entry: Entry) throws(GovernanceError) -> WebAuthnAssertion.Response {
        guard signed.signature.isEmpty else {
            throw GovernanceError(.malformed, "a person's request is authorized by an assertion; its signature member is empty")
        }
        return try GovernanceEntry.decodeAssertion(entry.authorization)
    }
}
