import BigInt
import CustosChains
import CustosCore
import CustosCrypto

extension PlannedTransaction {
    static let transferTopic = Keccak256.hash(Array("Transfer(address,address,uint256)".utf8))
    static let approvalTopics = [Keccak256.hash(Array("Approval(address,address,uint256)".utf8)),
                                 Keccak256.hash(Array("ApprovalForAll(address,address,bool)".utf8))]
    static let authorityTopics = [Keccak256.hash(Array("OwnershipTransferred(address,address)".utf8)),
                                  Keccak256.hash(Array("AdminChanged(address,address)".utf8)),
                                  Keccak256.hash(Array("Upgraded(address)".utf8))]

    /// What differs between `receipt` and this plan's intent, in words; empty when the outcome is
    /// what was decided. Checked: the status is success; a native transfer carries its value and
    /// recipient in the transaction itself (this plan's), so nothing more; an ERC-20 `transfer`
    /// emitted exactly one `Transfer(from: the sender, to: the recipient, value: the amount)` from
    /// the token and no other `Transfer` from the sender on it (a fee-on-transfer token delivers
    /// less: a mismatch); no `Approval` or `ApprovalForAll` names the sender as owner unless the
    /// call is an `approve`, `increaseAllowance` or `setApprovalForAll`; no contract emitted
    /// `OwnershipTransferred`, `AdminChanged` or `Upgraded` unless the call is an ownership
    /// transfer or renouncement, an admin change or an upgrade. Pure: no I/O, the same on every node.
    public func differences(from receipt: TransactionReceipt) -> [String] {
        var out: [String] = []
        if !receipt.succeeded { out.append("the transaction reverted on chain (block \(receipt.blockNumber))") }
        let action = data.isEmpty ? nil
            : EVM.IntentDecoder(registry: EVM.Registry(nativeSymbol: "", nativeDecimals: 18)).decode(to: to, value: value, data: data).action
        let sender = Self.topic(from)
        if receipt.succeeded, case .erc20Transfer(let token, let recipient, let amount)? = action {
            let fromSender = receipt.logs.filter { $0.address == token && $0.topics.count == 3 && $0.topics[0] == Self.transferTopic && $0.topics[1] == sender }
            let exact = fromSender.filter { $0.topics[2] == Self.topic(recipient) && BigUInt(bigEndian: $0.data) == amount && $0.data.count == 32 }
            if fromSender.count != 1 || exact.count != 1 {
                let seen = fromSender.map { log in
                    let to = (try? EVM.Address(log.topics[2].suffix(20)))?.checksummed ?? "?"
                    return "\(BigUInt(bigEndian: log.data)) to \(to)"
                }
                out.append("expected one Transfer of \(amount) from \(from.checksummed) to \(recipient.checksummed) by token \(token.checksummed); "
                           + "the receipt has \(fromSender.count)" + (seen.isEmpty ? "" : ": " + seen.joined(separator: ", ")))
            }
        }
        let grants: Bool
        let changesAuthority: Bool
        switch action {
        case .erc20Approve?, .erc20IncreaseAllowance?, .erc721SetApprovalForAll?: (grants, changesAuthority) = (true, false)
        case .transferOwnership?, .renounceOwnership?, .proxyChangeAdmin?, .proxyUpgradeTo?, .proxyUpgradeToAndCall?: (grants, changesAuthority) = (false, true)
        default: (grants, changesAuthority) = (false, false)
        }
        for log in receipt.logs {
            guard let event = log.topics.first else { continue }
            if !grants, Self.approvalTopics.contains(event), log.topics.count >= 2, log.topics[1] == sender {
                out.append("an unexpected \(event == Self.approvalTopics[0] ? "Approval" : "ApprovalForAll") with \(from.checksummed) as owner, from \(log.address.checksummed)")
            }
            if !changesAuthority, let i = Self.authorityTopics.firstIndex(of: event) {
                out.append("an unexpected \(["OwnershipTransferred", "AdminChanged", "Upgraded"][i]) from \(log.address.checksummed)")
            }
        }
        return out
    }

    /// An address as an indexed event topic: 12 zero bytes and its 20 bytes.
    static func topic(_ address: EVM.Address) -> [UInt8] { Array(repeating: 0, count: 12) + address.rawValue }
}
