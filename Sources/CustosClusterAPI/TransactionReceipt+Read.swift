import BigInt
import CustosChainsRPC
import CustosState

extension TransactionReceipt {
    /// The receipt of request `requestId` as a chain endpoint gave it (`read`, its logs whole):
    /// the one conversion the executor (which records it) and every node that checks it
    /// (`ReceiptChecker`) share, so that two readings of the same chain give the same
    /// `TransactionReceipt.digest`. A missing block hash or gas price is read as empty or zero,
    /// which never matches a recorded receipt's.
    public init(requestId: String, read: EVMReceipt) {
        self.init(requestId: requestId, transactionHash: read.transactionHash, blockNumber: read.blockNumber, blockHash: read.blockHash ?? [],
                  succeeded: read.succeeded, gasUsed: read.gasUsed, effectiveGasPrice: read.effectiveGasPrice ?? 0,
                  logs: read.logs.map { TransactionReceipt.Log(address: $0.address, topics: $0.topics, data: $0.data) })
    }
}
