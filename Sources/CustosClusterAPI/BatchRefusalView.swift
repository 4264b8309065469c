import CustosState

/// Whether every node would refuse the listed requests approved together in one
/// `request.approve-batch` at the gateway's committed state, and why
/// (`ReplicatedState.batchRefusal(of:)`, the function every node's transition applies): what a
/// client asks before anything is signed. A view only: every node checks the batch again.
public struct BatchRefusalView: Codable, Sendable, Equatable {
    /// The requests, in the order asked.
    public var ids: [String]
    /// Why they are not approved together; absent when they may be.
    public var refusal: String?

    public init(ids: [String], refusal: String?) {
        self.ids = ids
        self.refusal = refusal
    }
}
