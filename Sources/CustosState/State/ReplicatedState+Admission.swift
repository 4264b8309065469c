import CustosIdentity
import CustosLedger

extension ReplicatedState {
    /// Why a gateway keeps `entry` out of blocks, whatever state it would meet: the transition's
    /// `malformed` checks, which read the entry alone — a governance entry, a signed request or
    /// a node's ceremony entry (payload or signer) that does not decode, a person's request that also carries a signature, an operation id
    /// or lifetime out of range. Every entry that some state refuses as `malformed` (which makes
    /// every node refuse the whole block) is named here, with the same reason. The converse holds
    /// but for one case: a proposal reusing an operation id with a lifetime out of range, which a
    /// state that knows the id records as a duplicate instead; refusing it early loses nothing.
    /// Nil if the entry may go into a block; the state then decides what it does (and may refuse
    /// it, recorded). No signature is verified and no policy evaluated, so a gateway may ask this
    /// for every entry it queues or proposes.
    public static func malformation(of entry: Entry) -> GovernanceError? {
        do throws(GovernanceError) {
            if entry.kind == RequestEntry.submitKind {
                let signed = try RequestBook.signedRequest(in: entry)
                if !entry.authorization.isEmpty { _ = try RequestBook.personAssertion(signed, in: entry) }
            } else if entry.kind.hasPrefix(VaultEntry.kindPrefix) {
                _ = try VaultEntry(payload: entry.payload, kind: entry.kind)
                _ = try VaultEntry.signer(of: entry)
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
