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
                let signed = try RequestBook.signedRequest(in: entry)
                if !entry.authorization.isEmpty { _ = try RequestBook.personAssertion(signed, in: entry) }
            } else if entry.kind.hasPrefix(GovernanceEntry.kindPrefix), case .propose(let proposal, _) = try GovernanceEntry(entry) {
                try proposal.checkId()
                try proposal.checkLifetime()
            }
            return nil
        } catch {
            return error
        }
    }
}
