import CustosPolicy

/// A recorded receipt a member has still to read from its own endpoint
/// (`ReplicatedState.receiptsToCheck(by:)`): the request, where its transaction went (chain
/// name and id, and the environment of the vault that sent it, whose endpoints alone may serve
/// it) and the executor's receipt.
public struct ReceiptToCheck: Sendable, Hashable {
    public let requestId: String
    public let chain: String
    public let chainId: UInt64
    public let environment: DeploymentEnvironment
    public let recorded: TransactionReceipt

    public init(requestId: String, chain: String, chainId: UInt64, environment: DeploymentEnvironment, recorded: TransactionReceipt) {
        self.requestId = requestId
        self.chain = chain
        self.chainId = chainId
        self.environment = environment
        self.recorded = recorded
    }
}
