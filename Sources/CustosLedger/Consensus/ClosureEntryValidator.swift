/// Validates with a closure.
public struct ClosureEntryValidator: EntryValidator {
    let body: (Entry, Int, Block) -> EntryVerdict
    public init(_ body: @escaping (Entry, Int, Block) -> EntryVerdict) { self.body = body }
    public func validate(_ entry: Entry, at index: Int, in block: Block) -> EntryVerdict { body(entry, index, block) }
}
