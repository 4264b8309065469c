import CustosCore

/// Splits CEL source text into tokens with positions. Total: every input yields tokens or one
/// error naming the offending position.
struct ExpressionLexer {
    enum Kind: Equatable {
        case identifier(String)
        case number(FixedDecimal)
        case string(String)
        case symbol(String)
        case end
    }

    struct Token {
        let kind: Kind
        let location: SourceLocation
    }

    static func tokenize(_ source: String, at origin: SourceLocation) throws(ExpressionError) -> [Token] {
        let scalars = Array(source.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        var line = origin.line
        var column = origin.column
        func location() -> SourceLocation { SourceLocation(line: line, column: column) }
        func advance(_ n: Int = 1) {
            for _ in 0..<n {
                if scalars[i] == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
                i += 1
            }
        }
        while i < scalars.count {
            let c = scalars[i]
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                advance()
                continue
            }
            let start = location()
            if c.value >= 0x30 && c.value <= 0x39 {
                var text = ""
                while i < scalars.count, (scalars[i].value >= 0x30 && scalars[i].value <= 0x39) || scalars[i] == "_" || scalars[i] == "." {
                    text.unicodeScalars.append(scalars[i])
                    advance()
                }
                if i < scalars.count, Self.isIdentifierScalar(scalars[i]) {
                    throw ExpressionError(start, "malformed number '\(text)\(scalars[i])'")
                }
                guard let value = FixedDecimal(parsing: text) else {
                    throw ExpressionError(start, "malformed or out-of-range number '\(text)'")
                }
                tokens.append(Token(kind: .number(value), location: start))
                continue
            }
            if Self.isIdentifierStart(c) {
                var text = ""
                while i < scalars.count, Self.isIdentifierScalar(scalars[i]) {
                    text.unicodeScalars.append(scalars[i])
                    advance()
                }
                tokens.append(Token(kind: .identifier(text), location: start))
                continue
            }
            if c == "'" || c == "\"" {
                let quote = c
                advance()
                var text = ""
                var closed = false
                while i < scalars.count {
                    let d = scalars[i]
                    if d == "\n" { break }
                    if d == quote {
                        advance()
                        closed = true
                        break
                    }
                    if d == "\\" {
                        guard i + 1 < scalars.count else { break }
                        let e = scalars[i + 1]
                        switch e {
                        case "\\", "'", "\"": text.unicodeScalars.append(e)
                        case "n": text.unicodeScalars.append("\n")
                        case "t": text.unicodeScalars.append("\t")
                        default:
                            throw ExpressionError(location(), "unsupported escape '\\\(e)' in string")
                        }
                        advance(2)
                        continue
                    }
                    text.unicodeScalars.append(d)
                    advance()
                }
                guard closed else { throw ExpressionError(start, "string is not closed") }
                tokens.append(Token(kind: .string(text), location: start))
                continue
            }
            let two = i + 1 < scalars.count ? String(String.UnicodeScalarView([c, scalars[i + 1]])) : ""
            if ["&&", "||", "==", "!=", "<=", ">="].contains(two) {
                tokens.append(Token(kind: .symbol(two), location: start))
                advance(2)
                continue
            }
            if "()[].,!<>+-*/%?:".unicodeScalars.contains(c) {
                tokens.append(Token(kind: .symbol(String(c)), location: start))
                advance()
                continue
            }
            if c == "=" {
                throw ExpressionError(start, "'=' is not an operator; compare with '=='")
            }
            if c == "&" || c == "|" {
                throw ExpressionError(start, "'\(c)' is not an operator; use '\(c)\(c)'")
            }
            throw ExpressionError(start, "unexpected character '\(c)'")
        }
        tokens.append(Token(kind: .end, location: location()))
        return tokens
    }

    static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    static func isIdentifierScalar(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || (c >= "0" && c <= "9")
    }
}
