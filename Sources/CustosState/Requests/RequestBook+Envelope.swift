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

    /// The bot signing `entry`, an entry authorized by its bot's signed envelope alone (a price,
    /// a watch report), read from the entry alone: the envelope parses strictly (`malformed`),
    /// carries a signature (`unsigned`), and the entry has no authorization (`malformed`).
    static func botSigner(of entry: Entry, what: String) throws(GovernanceError) -> EntrySigner {
        let signed = try signedRequest(in: entry)
        guard entry.authorization.isEmpty else { throw GovernanceError(.malformed, "\(what) is authorized by its bot's signature alone") }
        guard !signed.signature.isEmpty else { throw GovernanceError(.unsigned, "\(what) carries its bot's signature in its envelope") }
        return EntrySigner(role: .bot, id: signed.keyId)
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
