/// A validator's answer for one entry: never a thrown error, always a decision with a reason.
public enum EntryVerdict: Sendable, Hashable {
    case accept
    case reject(reason: String)
}

/// Checks the entries of a proposed block against the node's committed state (requester
/// signatures, approvals, authorization). Called in log order, once per entry, so a validator may
/// account for earlier entries of the same block. Must be deterministic: every honest node has to
/// reach the same verdict.
public protocol EntryValidator {
    mutating func validate(_ entry: Entry, at index: Int, in block: Block) -> EntryVerdict
}

/// Accepts every entry (for tests and for layers that validate elsewhere).
public struct AcceptAllEntries: EntryValidator {
    public init() {}
    public func validate(_ entry: Entry, at index: Int, in block: Block) -> EntryVerdict { .accept }
}

/// Validates with a closure.
public struct ClosureEntryValidator: EntryValidator {
    let body: (Entry, Int, Block) -> EntryVerdict
    public init(_ body: @escaping (Entry, Int, Block) -> EntryVerdict) { self.body = body }
    public func validate(_ entry: Entry, at index: Int, in block: Block) -> EntryVerdict { body(entry, index, block) }
}
