import CustosCore

/// A recursive-descent parser for the CEL subset Custos accepts:
///
///     expr    = or ["?" expr ":" expr]
///     or      = and {"||" and}
///     and     = rel {"&&" rel}
///     rel     = add [("=="|"!="|"<"|"<="|">"|">="|"in") add]
///     add     = mul {("+"|"-") mul}
///     mul     = unary {("*"|"/"|"%") unary}
///     unary   = {"!"|"-"} member
///     member  = primary {"." IDENT ["(" args ")"] | "[" expr "]"}
///     primary = NUMBER | STRING | "true" | "false" | IDENT ["(" args ")"] | "(" expr ")" | "[" args "]"
///
/// Nesting is limited (`maxDepth`), so parsing is linear and never exhausts the stack.
struct ExpressionParser {
    static let maxDepth = 24
    static let maxTokens = 1_000

    private var tokens: [ExpressionLexer.Token]
    private var position = 0
    private var depth = 0

    static func parse(_ source: String, at origin: SourceLocation) throws(ExpressionError) -> ExpressionSyntax {
        let tokens = try ExpressionLexer.tokenize(source, at: origin)
        if tokens.count > maxTokens {
            throw ExpressionError(origin, "condition has more than \(maxTokens) tokens")
        }
        if tokens.count == 1 { throw ExpressionError(origin, "condition is empty") }
        var parser = ExpressionParser(tokens: tokens)
        let expression = try parser.expression()
        if case .end = parser.current.kind {
            return expression
        }
        throw ExpressionError(parser.current.location, "unexpected \(parser.describe(parser.current)) after the end of the condition")
    }

    private init(tokens: [ExpressionLexer.Token]) { self.tokens = tokens }

    private var current: ExpressionLexer.Token { tokens[position] }

    private func describe(_ token: ExpressionLexer.Token) -> String {
        switch token.kind {
        case .identifier(let name): return "'\(name)'"
        case .number(let value): return "number \(value)"
        case .string: return "string"
        case .symbol(let s): return "'\(s)'"
        case .end: return "end of condition"
        }
    }

    private mutating func isSymbol(_ symbol: String) -> Bool {
        if case .symbol(symbol) = current.kind { return true }
        return false
    }

    private mutating func accept(_ symbol: String) -> Bool {
        if isSymbol(symbol) {
            position += 1
            return true
        }
        return false
    }

    private mutating func expect(_ symbol: String) throws(ExpressionError) {
        guard accept(symbol) else {
            throw ExpressionError(current.location, "expected '\(symbol)' but found \(describe(current))")
        }
    }

    private mutating func enter() throws(ExpressionError) {
        depth += 1
        if depth > Self.maxDepth {
            throw ExpressionError(current.location, "condition is nested deeper than \(Self.maxDepth) levels")
        }
    }

    private mutating func expression() throws(ExpressionError) -> ExpressionSyntax {
        try enter()
        defer { depth -= 1 }
        let condition = try or()
        if isSymbol("?") {
            let at = current.location
            position += 1
            let then = try expression()
            try expect(":")
            let otherwise = try expression()
            return .conditional(condition, then, otherwise, at)
        }
        return condition
    }

    private mutating func or() throws(ExpressionError) -> ExpressionSyntax {
        var left = try and()
        while isSymbol("||") {
            let at = current.location
            position += 1
            left = .binary(.or, left, try and(), at)
        }
        return left
    }

    private mutating func and() throws(ExpressionError) -> ExpressionSyntax {
        var left = try relation()
        while isSymbol("&&") {
            let at = current.location
            position += 1
            left = .binary(.and, left, try relation(), at)
        }
        return left
    }

    private mutating func relation() throws(ExpressionError) -> ExpressionSyntax {
        let left = try additive()
        let at = current.location
        let op: ExpressionSyntax.BinaryOperator?
        switch current.kind {
        case .symbol("=="): op = .equal
        case .symbol("!="): op = .notEqual
        case .symbol("<"): op = .less
        case .symbol("<="): op = .lessOrEqual
        case .symbol(">"): op = .greater
        case .symbol(">="): op = .greaterOrEqual
        case .identifier("in"): op = .in
        default: op = nil
        }
        guard let op else { return left }
        position += 1
        let right = try additive()
        switch current.kind {
        case .symbol("=="), .symbol("!="), .symbol("<"), .symbol("<="), .symbol(">"), .symbol(">="), .identifier("in"):
            throw ExpressionError(current.location, "comparisons do not chain; use parentheses and '&&'")
        default:
            return .binary(op, left, right, at)
        }
    }

    private mutating func additive() throws(ExpressionError) -> ExpressionSyntax {
        var left = try multiplicative()
        while true {
            let at = current.location
            if accept("+") {
                left = .binary(.add, left, try multiplicative(), at)
            } else if accept("-") {
                left = .binary(.subtract, left, try multiplicative(), at)
            } else {
                return left
            }
        }
    }

    private mutating func multiplicative() throws(ExpressionError) -> ExpressionSyntax {
        var left = try unary()
        while true {
            let at = current.location
            if accept("*") {
                left = .binary(.multiply, left, try unary(), at)
            } else if accept("/") {
                left = .binary(.divide, left, try unary(), at)
            } else if accept("%") {
                left = .binary(.remainder, left, try unary(), at)
            } else {
                return left
            }
        }
    }

    private mutating func unary() throws(ExpressionError) -> ExpressionSyntax {
        let at = current.location
        if accept("!") {
            try enter()
            defer { depth -= 1 }
            return .unary(.not, try unary(), at)
        }
        if accept("-") {
            try enter()
            defer { depth -= 1 }
            return .unary(.negate, try unary(), at)
        }
        return try member()
    }

    private mutating func member() throws(ExpressionError) -> ExpressionSyntax {
        var target = try primary()
        while true {
            let at = current.location
            if accept(".") {
                guard case .identifier(let name) = current.kind else {
                    throw ExpressionError(current.location, "expected a field or method name after '.'")
                }
                position += 1
                if accept("(") {
                    let arguments = try argumentList(closing: ")")
                    target = .call(target: target, name: name, arguments: arguments, at)
                } else {
                    target = .select(target, name, at)
                }
            } else if accept("[") {
                let key = try expression()
                try expect("]")
                target = .index(target, key, at)
            } else {
                return target
            }
        }
    }

    private mutating func argumentList(closing: String) throws(ExpressionError) -> [ExpressionSyntax] {
        var arguments: [ExpressionSyntax] = []
        if accept(closing) { return arguments }
        while true {
            arguments.append(try expression())
            if accept(closing) { return arguments }
            try expect(",")
        }
    }

    private mutating func primary() throws(ExpressionError) -> ExpressionSyntax {
        let token = current
        switch token.kind {
        case .number(let value):
            position += 1
            return .literal(.decimal(value), token.location)
        case .string(let text):
            position += 1
            return .literal(.string(text), token.location)
        case .identifier("true"):
            position += 1
            return .literal(.bool(true), token.location)
        case .identifier("false"):
            position += 1
            return .literal(.bool(false), token.location)
        case .identifier("in"):
            throw ExpressionError(token.location, "expected a value but found 'in'")
        case .identifier(let name):
            position += 1
            if accept("(") {
                return .call(target: nil, name: name, arguments: try argumentList(closing: ")"), token.location)
            }
            return .identifier(name, token.location)
        case .symbol("("):
            position += 1
            try enter()
            defer { depth -= 1 }
            let inner = try expression()
            try expect(")")
            return inner
        case .symbol("["):
            position += 1
            try enter()
            defer { depth -= 1 }
            return .list(try argumentList(closing: "]"), token.location)
        default:
            throw ExpressionError(token.location, "expected a value but found \(describe(token))")
        }
    }
}
