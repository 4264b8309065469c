/// The parsed form of a condition, before type checking: CEL syntax as written, with the
/// location of every node for error messages.
indirect enum ExpressionSyntax: Sendable {
    case literal(Literal, SourceLocation)
    case identifier(String, SourceLocation)
    case select(ExpressionSyntax, String, SourceLocation)
    case index(ExpressionSyntax, ExpressionSyntax, SourceLocation)
    case call(target: ExpressionSyntax?, name: String, arguments: [ExpressionSyntax], SourceLocation)
    case list([ExpressionSyntax], SourceLocation)
    case unary(UnaryOperator, ExpressionSyntax, SourceLocation)
    case binary(BinaryOperator, ExpressionSyntax, ExpressionSyntax, SourceLocation)
    case conditional(ExpressionSyntax, ExpressionSyntax, ExpressionSyntax, SourceLocation)

    enum Literal: Sendable, Equatable {
        case bool(Bool)
        case decimal(FixedDecimal)
        case string(String)
    }

    enum UnaryOperator: String, Sendable {
        case not = "!"
        case negate = "-"
    }

    enum BinaryOperator: String, Sendable {
        case or = "||", and = "&&"
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case `in` = "in"
        case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    }

    var location: SourceLocation {
        switch self {
        case .literal(_, let l), .identifier(_, let l), .select(_, _, let l), .index(_, _, let l),
            .call(_, _, _, let l), .list(_, let l), .unary(_, _, let l), .binary(_, _, _, let l),
            .conditional(_, _, _, let l):
            return l
        }
    }
}
