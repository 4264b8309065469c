import CustosCore

extension CustosError where Code == MPCErrorCode {
    /// An MPC error that blames `culprits` (hex identifiers; none by default).
    public init(_ code: Code, _ reason: String, culprits: [String]) {
        self.init(code, reason, context: MPCErrorContext(culprits: culprits))
    }
}
