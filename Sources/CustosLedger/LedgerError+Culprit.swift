import CustosCore

extension CustosError where Code == LedgerErrorCode {
    /// A ledger error that blames `culprit`.
    public init(_ code: Code, _ reason: String, culprit: NodeID?) {
        self.init(code, reason, context: LedgerErrorContext(culprit: culprit))
    }
}
