import CustosCore

/// The member a `LedgerError` blames, when one can be blamed.
public struct LedgerErrorContext: ErrorContext, Hashable {
    public var culprit: NodeID?

    public init() { culprit = nil }

    public init(culprit: NodeID?) { self.culprit = culprit }

    public func describe(_ summary: String) -> String {
        culprit.map { "\(summary) (culprit: \($0))" } ?? summary
    }
}
