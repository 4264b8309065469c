/// Bounds on what a document may contain, checked before and while it is read, so that a hostile
/// document costs bounded time and memory and is refused with a clear error.
public struct DocumentLimits: Sendable, Hashable {
    /// Largest accepted document, in UTF-8 bytes.
    public var maxBytes: Int
    /// Deepest accepted nesting of mappings and sequences.
    public var maxDepth: Int
    /// Most nodes (scalars, sequences, mappings) in one document.
    public var maxNodes: Int
    /// Most items in one sequence or entries in one mapping.
    public var maxCollectionCount: Int
    /// Longest scalar, in Unicode scalars.
    public var maxScalarLength: Int

    public init(maxBytes: Int, maxDepth: Int, maxNodes: Int, maxCollectionCount: Int, maxScalarLength: Int) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.maxCollectionCount = maxCollectionCount
        self.maxScalarLength = maxScalarLength
    }

    /// Limits for policy documents: generous for a large firm, far below what hurts a node.
    public static let policy = DocumentLimits(
        maxBytes: 1 << 20, maxDepth: 16, maxNodes: 100_000, maxCollectionCount: 10_000, maxScalarLength: 4_096)

    /// Limits for requests and state snapshots read by the CLI and tests.
    public static let request = DocumentLimits(
        maxBytes: 1 << 20, maxDepth: 16, maxNodes: 100_000, maxCollectionCount: 10_000, maxScalarLength: 4_096)
}
