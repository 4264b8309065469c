import CustosCore
import CustosIdentity
import CustosLedger

extension GovernanceEntry {
    /// The person acting in a governance entry, read from the entry alone (its row of
    /// `ReplicatedState.entryKinds`): the entry decodes strictly, a proposal's id and lifetime are
    /// in range, and it carries the person's WebAuthn assertion with a signature. Whether the
    /// assertion verifies is the state's question.
    static func signer(of entry: Entry) throws(GovernanceError) -> EntrySigner {
        guard !entry.authorization.isEmpty else {
            throw GovernanceError(.unsigned, "a \(entry.kind) entry is authorized by the acting person's WebAuthn assertion; this one carries none")
        }
        let user: String
        let assertion: WebAuthnAssertion.Response
        switch try GovernanceEntry(entry) {
        case .propose(let proposal, let a):
            try proposal.checkId()
            try proposal.checkLifetime()
            (user, assertion) = (proposal.proposer, a)
        case .approve(_, let u, let a), .reject(_, let u, let a):
            (user, assertion) = (u, a)
        }
        guard !assertion.signature.isEmpty else {
            throw GovernanceError(.unsigned, "the assertion authorizing a \(entry.kind) entry has no signature")
        }
        return EntrySigner(role: .person, id: user)
    }
}
