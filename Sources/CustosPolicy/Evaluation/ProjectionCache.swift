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

    /// The limits read so far that could be projected, in the policy's order, as figures.
    func figures(_ policy: CompiledPolicy) -> [WindowFigure] {
        slots.indices.compactMap { index -> WindowFigure? in
            guard case .success(let p)? = slots[index] else { return nil }
            let limit = policy.limits[index]
            return WindowFigure(
                limit: limit.name, per: limit.per, key: p.key, windowSeconds: limit.windowSeconds, usd: p.usd, maxUSD: limit.maxUSD,
                count: p.count, maxCount: limit.maxCount, holds: p.holds)
        }
    }
}
