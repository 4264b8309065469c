import CustosCore
import CustosIdentity
import CustosLedger

extension RequestBook {
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
