import CustosChains
import CustosPolicy

/// A confirmed deployment a member has still to read from its own endpoint
/// (`ReplicatedState.deploymentsToCheck(by:)`): the request, where it was mined (chain name and
/// id, the environment of the vault that sent it, the receipt's block), the contract's address
/// every node computed, and the calldata of each expected view call, in the request's order.
public struct DeploymentToCheck: Sendable, Hashable {
    public let requestId: String
    public let chain: String
    public let chainId: UInt64
    public let environment: DeploymentEnvironment
    public let blockNumber: UInt64
    public let contract: EVM.Address
    public let calls: [[UInt8]]

    public init(requestId: String, chain: String, chainId: UInt64, environment: DeploymentEnvironment, blockNumber: UInt64,
                contract: EVM.Address, calls: [[UInt8]]) {
        self.requestId = requestId
        self.chain = chain
        self.chainId = chainId
        self.environment = environment
        self.blockNumber = blockNumber
        self.contract = contract
        self.calls = calls
    }
}
