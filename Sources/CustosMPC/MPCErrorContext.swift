import CustosCore

/// Who an `MPCError` blames, so that a session can be aborted and the offender named.
public struct MPCErrorContext: ErrorContext, Hashable {
    /// The participants to blame, as hex identifiers; empty when nobody can be blamed.
    public var culprits: [String]

    public init() { culprits = [] }

    public init(culprits: [String]) { self.culprits = culprits }

    public func describe(_ summary: String) -> String {
        culprits.isEmpty ? summary : "\(summary) (culprits: \(culprits.joined(separator: ", ")))"
    }
}
