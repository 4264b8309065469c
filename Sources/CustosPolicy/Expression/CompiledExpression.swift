/// A type-checked condition with every name resolved: what the evaluator walks. Built only by
/// `ExpressionCompiler`, so every node's operands have the types its evaluation expects.
indirect enum CompiledExpression: Sendable {
    case constant(ExpressionValue)
    case field(RequestSchema.FieldPath)
    case stringMapGet(CompiledExpression, CompiledExpression)
    case decimalMapGet(CompiledExpression, CompiledExpression)
    case hasCall
    case hasOperation
    case hasMessage
    case hasMapKey(CompiledExpression, String)
    /// The element bound by the enclosing `exists`/`all`.
    case variable
    case not(CompiledExpression)
    case negate(CompiledExpression)
    case and(CompiledExpression, CompiledExpression)
    case or(CompiledExpression, CompiledExpression)
    case conditional(CompiledExpression, CompiledExpression, CompiledExpression)
    case equal(CompiledExpression, CompiledExpression, negated: Bool)
    case compareDecimal(Comparison, CompiledExpression, CompiledExpression)
    case compareString(Comparison, CompiledExpression, CompiledExpression)
    case arithmetic(Arithmetic, CompiledExpression, CompiledExpression)
    case inList(CompiledExpression, CompiledExpression)
    case inMap(CompiledExpression, CompiledExpression)
    case size(CompiledExpression)
    case startsWith(CompiledExpression, CompiledExpression)
    case endsWith(CompiledExpression, CompiledExpression)
    case exists(CompiledExpression, CompiledExpression)
    case all(CompiledExpression, CompiledExpression)
    case addressTags(CompiledExpression)
    case addressLookalike(CompiledExpression)
    case addressPoisoned(CompiledExpression)
    case addressResembles(CompiledExpression)
    case parseDecimal(CompiledExpression)

    enum Comparison: Sendable { case less, lessOrEqual, greater, greaterOrEqual }
    enum Arithmetic: Sendable { case add, subtract, multiply, divide, remainder }

    /// Whether this is the constant `false` (a condition that can never hold).
    var isConstantFalse: Bool {
        if case .constant(.bool(false)) = self { return true }
        return false
    }
}
