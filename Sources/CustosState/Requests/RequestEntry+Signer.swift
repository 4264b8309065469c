import CustosCore
import CustosIdentity
import CustosLedger

extension RequestEntry {
    /// The bot or person submitting a `request.submit` entry, read from the entry alone (its row
    /// of `ReplicatedState.entryKinds`): the envelope parses strictly; without an authorization it
    /// is a bot's and carries a signature; with one it is a person's, its signature member is
    /// empty and the authorization is an assertion with a signature. Whether the signature or
    /// assertion verifies is the state's question.
    static func signer(of entry: Entry) throws(GovernanceError) -> EntrySigner {
        let signed = try RequestBook.signedRequest(in: entry)
        if entry.authorization.isEmpty {
            guard !signed.signature.isEmpty else {
                throw GovernanceError(
                    .unsigned, "a request carries a bot's signature in its envelope or a person's assertion as its authorization; this one neither")
            }
            return EntrySigner(role: .bot, id: signed.keyId)
        }
        let assertion = try RequestBook.personAssertion(signed, in: entry)
        guard !assertion.signature.isEmpty else {
            throw GovernanceError(.unsigned, "the assertion authorizing a person's request has no signature")
        }
        return EntrySigner(role: .person, id: signed.keyId)
    }
}
