/// Checks the entries of a proposed block against the node's committed state (requester
/// signatures, approvals, authorization). Called in log order, once per entry, so a validator may
/// account for earlier entries of the same block; validation stops at the first rejection, so use
/// a fresh validator (over the committed state) for every proposal. Must be deterministic: every
/// honest node has to reach the same verdict.
public protocol EntryValidator {
    mutating func validate(_ entry: Entry, at index: Int, in block: Block) -> EntryVerdict
}
