/// A run-time value of a condition. Request lists and maps are carried as they are stored in
/// the request, so reading them copies nothing.
enum ExpressionValue: Sendable {
    case bool(Bool)
    case decimal(FixedDecimal)
    case string(String)
    case strings([String])
    case list([ExpressionValue])
    case stringMap([String: String])
    case decimalMap([String: FixedDecimal])
    /// An object value (`request`, `request.destination`, ...): only selected from, never used.
    case object

    func equals(_ other: ExpressionValue) -> Bool {
        switch (self, other) {
        case (.bool(let a), .bool(let b)): return a == b
        case (.decimal(let a), .decimal(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.strings(let a), .strings(let b)): return a == b
        case (.strings(let a), .list(let b)), (.list(let b), .strings(let a)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where !ExpressionValue.string(x).equals(y) { return false }
            return true
        case (.list(let a), .list(let b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where !x.equals(y) { return false }
            return true
        case (.stringMap(let a), .stringMap(let b)): return a == b
        case (.decimalMap(let a), .decimalMap(let b)): return a == b
        default: return false
        }
    }
}
