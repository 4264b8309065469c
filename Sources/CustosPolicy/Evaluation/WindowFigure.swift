/// A rolling-window limit as a decision read it: the limit, the key it is kept per for this
/// request, and the totals in its window with this request added, beside the policy's maxima.
/// Explanations show them ("24h to kraken: 4,200,000 of 5,000,000 USD").
public struct WindowFigure: Sendable, Hashable, Codable {
    public let limit: String
    public let per: PolicyDocument.WindowLimit.Scope
    public let key: String
    public let windowSeconds: Int
    /// The USD total with this request, when the limit has a USD maximum and the request a price.
    public let usd: FixedDecimal?
    public let maxUSD: FixedDecimal?
    public let count: Int
    public let maxCount: Int?
    /// Whether this request stays within the limit.
    public let holds: Bool

    /// The figure in words: `24h to kraken: 4,200,000 of 5,000,000 USD, 3 of 10 requests`.
    public var text: String {
        let scope = per == .global ? "in total" : (per == .destination ? "to" : "for \(per.rawValue)") + " \(key)"
        var parts: [String] = []
        if let maxUSD {
            parts.append((usd.map { "\($0.grouped)" } ?? "unknown") + " of \(maxUSD.grouped) USD")
        }
        if let maxCount { parts.append("\(count) of \(maxCount) request\(maxCount == 1 ? "" : "s")") }
        return "limit \(limit): \(CompiledPolicy.durationText(windowSeconds)) \(scope): " + parts.joined(separator: ", ")
            + (holds ? "" : " (exceeded)")
    }
}
