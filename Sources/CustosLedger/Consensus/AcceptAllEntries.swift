/// Accepts every entry (for tests and for layers that validate elsewhere).
public struct AcceptAllEntries: EntryValidator {
    public init() {}
    public func validate(_ entry: Entry, at index: Int, in block: Block) -> EntryVerdict { .accept }
}
