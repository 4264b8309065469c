import CustosChains
import CustosPolicy

/// A confirmed deployment a member has still to read from its own endpoint
/// (`ReplicatedState.deploymentsToCheck(by:)`): the request, where it was mined (chain name and
/// id, the environment of the vault that sent it, the hash of the transaction whose receipt the
/// members confirmed), the contract's address every node computed, and the calldata of each
/// expected view call, in the request's order. The block it is read at is the one the member's
/// own endpoint mined the transaction in, never the executor's word (review helper-126 H1).
public struct DeploymentToCheck: Sendable, Hashable {
    public let requestId: String
    public let chain: String
    public let chainId: UInt64
    public let environment: DeploymentEnvironment
    public let transactionHash: [UInt8]
    public let contract: EVM.Address
    public let calls: [[UInt8]]

    public init(requestId: String, chain: String, chainId: UInt64, environment: DeploymentEnvironment, transactionHash: [UInt8],
                contract: EVM.Address, calls: [[UInt8]]) {
        self.requestId = requestId
        self.chain = chain
        self.chainId = chainId
        self.environment = environment
        self.transactionHash = transactionHash
        self.contract = contract
        self.calls = calls
    }
}
