/// A position in a policy document or expression: 1-based line and column (columns count
/// Unicode scalars, as libyaml does).
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The position of the document as a whole.
    public static let start = SourceLocation(line: 1, column: 1)

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }

    /// The location of a character `offset` scalars into a single-line scalar starting here.
    func advanced(by offset: Int) -> SourceLocation {
        SourceLocation(line: line, column: column + offset)
    }
}
