/// The static type of an expression. Numbers are all `decimal` (fixed-point); there is no
/// floating point and no dynamic type, so every field access and operator is resolved when the
/// policy is loaded.
indirect enum ExpressionType: Sendable, Hashable, CustomStringConvertible {
    case bool
    case decimal
    case string
    case list(ExpressionType)
    case map(ExpressionType)
    case object(ObjectType)
    /// The element type of an empty list literal; compatible with any type.
    case unknown

    enum ObjectType: String, Sendable, Hashable {
        case request, destination, call, message, domain, operation, time
    }

    var description: String {
        switch self {
        case .bool: return "bool"
        case .decimal: return "decimal"
        case .string: return "string"
        case .list(let e): return "list(\(e))"
        case .map(let v): return "map(string, \(v))"
        case .object(let o): return o.rawValue
        case .unknown: return "any"
        }
    }

    func isCompatible(with other: ExpressionType) -> Bool {
        switch (self, other) {
        case (.unknown, _), (_, .unknown): return true
        case (.list(let a), .list(let b)): return a.isCompatible(with: b)
        case (.map(let a), .map(let b)): return a.isCompatible(with: b)
        default: return self == other
        }
    }
}
