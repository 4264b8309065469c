import CustosCore
import CustosIdentity
import CustosLedger

extension GovernanceEntry {
    /// The person acting in a governance entry, read from the entry alone (its row of
    /// `ReplicatedState.entryKinds`): the entry decodes strictly, a proposal's id and lifetime are
    /// in range, and it carries the person's WebAuthn assertion with a signature (an enrolment:
    /// their registration). Whether the
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
        case .approve(_, let u, let a, _), .reject(_, let u, let a, _):
            (user, assertion) = (u, a)
        case .enrol(_, let u, _, let registration):
            // Signed by the new credential's authenticator (its attestation), checked by the state.
            guard !registration.attestationObject.isEmpty, !registration.clientDataJSON.isEmpty else {
                throw GovernanceError(.unsigned, "a \(entry.kind) entry carries the person's registration; this one is empty")
            }
            return EntrySigner(role: .person, id: u)
        }
        guard !assertion.signature.isEmpty else {
            throw GovernanceError(.unsigned, "the assertion authorizing a \(entry.kind) entry has no signature")
        }
        return EntrySigner(role: .person, id: user)
    }
}
