import CustosCore

/// Type-checks parsed conditions against `RequestSchema` and resolves them into
/// `CompiledExpression`s. Refuses, with the position: unknown identifiers, fields and
/// functions; operands of the wrong type; conditions that are not bool; and nested
/// `exists`/`all` (which would make evaluation cost quadratic).
struct ExpressionCompiler {
    private var variable: (name: String, type: ExpressionType)?

    /// Parses and compiles a condition that must be bool.
    static func compileCondition(_ source: String, at origin: SourceLocation) throws(ExpressionError) -> CompiledExpression {
        let syntax = try ExpressionParser.parse(source, at: origin)
        var compiler = ExpressionCompiler()
        do throws(ExpressionError) {
            let (compiled, type) = try compiler.compile(syntax)
            guard type == .bool else {
                throw ExpressionError(origin, "a condition must be bool, but this is \(type)")
            }
            return compiled
        } catch {
            throw ExpressionError(error.location, error.message, kind: .type)
        }
    }

    private mutating func compile(_ node: ExpressionSyntax) throws(ExpressionError) -> (CompiledExpression, ExpressionType) {
        switch node {
        case .literal(let literal, _):
            switch literal {
            case .bool(let b): return (.constant(.bool(b)), .bool)
            case .decimal(let d): return (.constant(.decimal(d)), .decimal)
            case .string(let s): return (.constant(.string(s)), .string)
            }
        case .identifier(let name, let at):
            if name == "request" { return (.field(.object(.request)), .object(.request)) }
            if name == "time" { return (.field(.object(.time)), .object(.time)) }
            if let variable, variable.name == name { return (.variable, variable.type) }
            throw ExpressionError(at, "unknown name '\(name)'; conditions can read 'request' and 'time'")
        case .select(let target, let name, let at):
            let (compiledTarget, targetType) = try compile(target)
            switch targetType {
            case .object(let object):
                guard let (path, type) = RequestSchema.field(of: object, named: name) else {
                    let hint = NodeReader.closest(name, in: RequestSchema.fieldNames(of: object)).map { "; did you mean '\($0)'?" } ?? ""
                    throw ExpressionError(at, "\(object.rawValue) has no field '\(name)'\(hint)")
                }
                return (.field(path), type)
            case .map(let valueType):
                return (mapGet(compiledTarget, .constant(.string(name)), valueType), valueType)
            default:
                throw ExpressionError(at, "cannot select field '\(name)' from a \(targetType)")
            }
        case .index(let target, let key, let at):
            let (compiledTarget, targetType) = try compile(target)
            let (compiledKey, keyType) = try compile(key)
            guard case .map(let valueType) = targetType else {
                throw ExpressionError(at, "only maps can be indexed with [...], not a \(targetType)")
            }
            guard keyType == .string else { throw ExpressionError(key.location, "map keys are strings, not \(keyType)") }
            return (mapGet(compiledTarget, compiledKey, valueType), valueType)
        case .list(let items, _):
            var elementType = ExpressionType.unknown
            var values: [ExpressionValue] = []
            var allStrings = true
            var strings: [String] = []
            for item in items {
                let (compiled, type) = try compile(item)
                guard case .constant(let value) = compiled else {
                    throw ExpressionError(item.location, "list literals may contain only literal values")
                }
                guard elementType.isCompatible(with: type) else {
                    throw ExpressionError(item.location, "list mixes \(elementType) and \(type)")
                }
                elementType = type
                values.append(value)
                if case .string(let s) = value { strings.append(s) } else { allStrings = false }
            }
            return (.constant(allStrings && !items.isEmpty ? .strings(strings) : .list(values)), .list(elementType))
        case .unary(let op, let operand, let at):
            let (compiled, type) = try compile(operand)
            switch op {
            case .not:
                guard type == .bool else { throw ExpressionError(at, "'!' needs a bool, not \(type)") }
                if case .constant(.bool(let b)) = compiled { return (.constant(.bool(!b)), .bool) }
                return (.not(compiled), .bool)
            case .negate:
                guard type == .decimal else { throw ExpressionError(at, "'-' needs a decimal, not \(type)") }
                if case .constant(.decimal(let d)) = compiled, let n = d.negated() { return (.constant(.decimal(n)), .decimal) }
                return (.negate(compiled), .decimal)
            }
        case .binary(let op, let lhs, let rhs, let at):
            let (l, lt) = try compile(lhs)
            let (r, rt) = try compile(rhs)
            switch op {
            case .and, .or:
                guard lt == .bool, rt == .bool else {
                    throw ExpressionError(at, "'\(op.rawValue)' needs bool operands, not \(lt) and \(rt)")
                }
                if op == .and {
                    if l.isConstantFalse || r.isConstantFalse { return (.constant(.bool(false)), .bool) }
                    return (.and(l, r), .bool)
                }
                if case .constant(.bool(true)) = l { return (l, .bool) }
                if case .constant(.bool(true)) = r { return (r, .bool) }
                return (.or(l, r), .bool)
            case .equal, .notEqual:
                guard lt.isCompatible(with: rt) else {
                    throw ExpressionError(at, "cannot compare \(lt) with \(rt)")
                }
                if case .object = lt { throw ExpressionError(at, "objects cannot be compared; compare their fields") }
                return (.equal(l, r, negated: op == .notEqual), .bool)
            case .less, .lessOrEqual, .greater, .greaterOrEqual:
                let comparison: CompiledExpression.Comparison =
                    op == .less ? .less : op == .lessOrEqual ? .lessOrEqual : op == .greater ? .greater : .greaterOrEqual
                if lt == .decimal, rt == .decimal { return (.compareDecimal(comparison, l, r), .bool) }
                if lt == .string, rt == .string { return (.compareString(comparison, l, r), .bool) }
                throw ExpressionError(at, "'\(op.rawValue)' compares two decimals or two strings, not \(lt) and \(rt)")
            case .in:
                switch rt {
                case .list(let element):
                    guard element.isCompatible(with: lt) else {
                        throw ExpressionError(at, "cannot look for a \(lt) in a list(\(element))")
                    }
                    return (.inList(l, r), .bool)
                case .map:
                    guard lt == .string else { throw ExpressionError(at, "map keys are strings, not \(lt)") }
                    return (.inMap(l, r), .bool)
                default:
                    throw ExpressionError(at, "'in' needs a list or map on the right, not \(rt)")
                }
            case .add, .subtract, .multiply, .divide, .remainder:
                guard lt == .decimal, rt == .decimal else {
                    throw ExpressionError(at, "'\(op.rawValue)' needs decimal operands, not \(lt) and \(rt)")
                }
                let arithmetic: CompiledExpression.Arithmetic
                switch op {
                case .add: arithmetic = .add
                case .subtract: arithmetic = .subtract
                case .multiply: arithmetic = .multiply
                case .divide: arithmetic = .divide
                default: arithmetic = .remainder
                }
                return (.arithmetic(arithmetic, l, r), .decimal)
            }
        case .conditional(let condition, let then, let otherwise, let at):
            let (c, ct) = try compile(condition)
            let (t, tt) = try compile(then)
            let (o, ot) = try compile(otherwise)
            guard ct == .bool else { throw ExpressionError(condition.location, "the condition of '?:' must be bool, not \(ct)") }
            guard tt.isCompatible(with: ot) else { throw ExpressionError(at, "both branches of '?:' must have one type, not \(tt) and \(ot)") }
            return (.conditional(c, t, o), tt == .unknown ? ot : tt)
        case .call(let target, let name, let arguments, let at):
            return try compileCall(target: target, name: name, arguments: arguments, at: at)
        }
    }

    private func mapGet(_ map: CompiledExpression, _ key: CompiledExpression, _ valueType: ExpressionType) -> CompiledExpression {
        valueType == .decimal ? .decimalMapGet(map, key) : .stringMapGet(map, key)
    }

    private mutating func compileCall(
        target: ExpressionSyntax?, name: String, arguments: [ExpressionSyntax], at: SourceLocation
    ) throws(ExpressionError) -> (CompiledExpression, ExpressionType) {
        func arity(_ n: Int) throws(ExpressionError) {
            guard arguments.count == n else {
                throw ExpressionError(at, "\(name) takes \(n) argument\(n == 1 ? "" : "s"), not \(arguments.count)")
            }
        }
        switch (target, name) {
        case (nil, "has"):
            try arity(1)
            guard case .select(let inner, let field, let selectAt) = arguments[0] else {
                throw ExpressionError(at, "has() takes a field selection such as has(request.call)")
            }
            let (compiledInner, innerType) = try compile(inner)
            switch innerType {
            case .object(let object):
                guard RequestSchema.field(of: object, named: field) != nil else {
                    throw ExpressionError(selectAt, "\(object.rawValue) has no field '\(field)'")
                }
                if object == .request && field == "call" { return (.hasCall, .bool) }
                if object == .request && field == "operation" { return (.hasOperation, .bool) }
                if object == .request && field == "message" { return (.hasMessage, .bool) }
                return (.constant(.bool(true)), .bool)
            case .map:
                return (.hasMapKey(compiledInner, field), .bool)
            default:
                throw ExpressionError(at, "has() needs a field of an object or a map key")
            }
        case (nil, "size"):
            try arity(1)
            return try sizeOf(arguments[0], at: at)
        case (.some(let t), "size"):
            try arity(0)
            return try sizeOf(t, at: at)
        case (.some(let t), "startsWith"), (.some(let t), "endsWith"):
            try arity(1)
            let (s, st) = try compile(t)
            let (p, pt) = try compile(arguments[0])
            guard st == .string, pt == .string else { throw ExpressionError(at, "\(name) works on strings, not \(st) and \(pt)") }
            return (name == "startsWith" ? .startsWith(s, p) : .endsWith(s, p), .bool)
        case (.some(let t), "exists"), (.some(let t), "all"):
            try arity(2)
            guard case .identifier(let variableName, let variableAt) = arguments[0] else {
                throw ExpressionError(arguments[0].location, "\(name) takes a variable name first, e.g. tags.\(name)(t, t == 'x')")
            }
            guard variable == nil else {
                throw ExpressionError(at, "exists/all cannot be nested (it would make evaluation quadratic)")
            }
            guard variableName != "request", variableName != "time" else {
                throw ExpressionError(variableAt, "'\(variableName)' cannot be used as a variable name")
            }
            let (list, listType) = try compile(t)
            guard case .list(let element) = listType else {
                throw ExpressionError(at, "\(name) works on lists, not \(listType)")
            }
            variable = (variableName, element)
            defer { variable = nil }
            let (predicate, predicateType) = try compile(arguments[1])
            guard predicateType == .bool else { throw ExpressionError(arguments[1].location, "the predicate of \(name) must be bool") }
            return (name == "exists" ? .exists(list, predicate) : .all(list, predicate), .bool)
        case (nil, "address_tags"):
            try arity(1)
            let (a, at2) = try compile(arguments[0])
            guard at2 == .string else { throw ExpressionError(at, "address_tags takes an address string") }
            return (.addressTags(a), .list(.string))
        case (nil, "address_lookalike"), (nil, "address_poisoned"), (nil, "address_resembles"):
            try arity(1)
            let (a, t) = try compile(arguments[0])
            guard t == .string else { throw ExpressionError(at, "\(name) takes an address string") }
            switch name {
            case "address_lookalike": return (.addressLookalike(a), .bool)
            case "address_poisoned": return (.addressPoisoned(a), .bool)
            default: return (.addressResembles(a), .string)
            }
        case (nil, "decimal"):
            try arity(1)
            let (a, t) = try compile(arguments[0])
            if t == .decimal { return (a, .decimal) }
            guard t == .string else { throw ExpressionError(at, "decimal() takes a string") }
            return (.parseDecimal(a), .decimal)
        default:
            let known = "has, size, startsWith, endsWith, exists, all, address_tags, address_lookalike, address_poisoned, address_resembles, decimal"
            throw ExpressionError(at, "unknown function '\(name)'; conditions can use \(known)")
        }
    }

    private mutating func sizeOf(_ node: ExpressionSyntax, at: SourceLocation) throws(ExpressionError) -> (CompiledExpression, ExpressionType) {
        let (c, t) = try compile(node)
        switch t {
        case .string, .list, .map: return (.size(c), .decimal)
        default: throw ExpressionError(at, "size() works on strings, lists and maps, not \(t)")
        }
    }
}
