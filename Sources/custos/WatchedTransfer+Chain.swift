import BigInt
import CustosChains
import CustosChainsRPC
import CustosCore
import CustosState
import Foundation

extension WatchedTransfer {
    /// The transfer an ERC-20 `Transfer` log shows between one of `vaults` (lowercased EIP-55)
    /// and a counterparty; nil for a log that is not a well-formed `Transfer` (three topics,
    /// a 32-byte amount) or that is between two vault addresses or between none.
    init?(_ entry: EVMLog, vaults: Set<String>) {
        let log = entry.log
        guard log.topics.count == 3, log.topics[0] == EVMRPCClient.transferTopic, log.data.count == 32,
              let from = try? EVM.Address(log.topics[1].suffix(20)), let to = try? EVM.Address(log.topics[2].suffix(20))
        else { return nil }
        let (fromVault, toVault) = (vaults.contains(from.checksummed.lowercased()), vaults.contains(to.checksummed.lowercased()))
        guard fromVault != toVault else { return nil }
        self.init(block: entry.blockNumber, transaction: "0x" + entry.transactionHash.hexString,
                  vaultAddress: (toVault ? to : from).checksummed, counterparty: (toVault ? from : to).checksummed, incoming: toVault,
                  token: log.address.checksummed, amount: BigUInt(Data(log.data)))
    }

    /// The native transfer `transaction` of block `block` makes into one of `vaults` from a
    /// counterparty; nil for one that does not pay a vault address, or that a vault address sent.
    init?(_ transaction: EVMBlockTransaction, block: UInt64, vaults: Set<String>) {
        guard let to = transaction.to, vaults.contains(to.checksummed.lowercased()),
              !vaults.contains(transaction.from.checksummed.lowercased())
        else { return nil }
        self.init(block: block, transaction: "0x" + transaction.hash.hexString, vaultAddress: to.checksummed,
                  counterparty: transaction.from.checksummed, incoming: true, token: nil, amount: transaction.value)
    }
}
