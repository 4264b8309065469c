/// Window projections computed at most once per limit per evaluation.
struct ProjectionCache {
    private var slots: [Result<CompiledPolicy.Projection, EvaluationFailure>?] = []
    private let count: Int

    /// No allocation until a rule reads a window.
    init(count: Int) { self.count = count }

    mutating func projection(
        _ limit: Int, _ c: EvaluationContext, _ policy: CompiledPolicy
    ) -> Result<CompiledPolicy.Projection, EvaluationFailure> {
        if slots.isEmpty { slots = Array(repeating: nil, count: count) }
        if let cached = slots[limit] { return cached }
        let result = policy.projected(limit, c)
        slots[limit] = result
        return result
    }
}
