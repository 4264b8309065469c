import CustosState

/// A governed nonce cancellation as the API shows it: the id its zero-value transaction is
/// planned and signed under (`ReplicatedState.cancellationId(operationId:)`), the request whose
/// nonce it took, and the transaction itself — to which an executor proposes parameters as to
/// any other, at the cancelled nonce.
public struct CancellationView: Codable, Sendable, Equatable {
    public var id: String
    /// The request whose transaction held the nonce (now `superseded-unconfirmed`); empty when
    /// the cancellation filled a free nonce.
    public var cancels: String
    public var transaction: TransactionView

    public init(_ t: PlannedTransaction, in state: ReplicatedState) {
        id = t.requestId
        cancels = t.cancels ?? ""
        transaction = TransactionView(t, in: state)
    }
}
