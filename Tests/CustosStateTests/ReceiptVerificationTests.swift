import BigInt
import CustosChains
import CustosCore
import CustosCrypto
@testable import CustosState
import Testing

/// Post-execution verification (issue #11 item 7, second half): every node compares a recorded
/// receipt with the plan's intent (`PlannedTransaction.differences(from:)`), with receipts made
/// by hand as a lying token, a hijacked call or a gateway would shape them.
@Suite struct ReceiptVerificationTests {
    static let vault = try! EVM.Address(hex: "0x2b5ad5c4795c026514f8317c7a215e218dccd6cf")
    static let kraken = try! EVM.Address(hex: Cluster.kraken)
    static let token = try! EVM.Address(hex: Cluster.usdc)
    static let other = try! EVM.Address(hex: Cluster.stranger)

    static func plan(data: [UInt8], to: EVM.Address = token, value: BigUInt = 0) -> PlannedTransaction {
        PlannedTransaction(requestId: String(repeating: "ab", count: 32), vault: "hot", chain: "ethereum", chainId: 1, from: vault, path: [],
                           to: to, value: value, data: data, status: .signed)
    }

    static func transferPlan(amount: BigUInt = 1_000_000) throws -> PlannedTransaction {
        plan(data: try EVM.ABI.encodeCall("transfer(address,uint256)", [.address(kraken), .uint(amount)]))
    }

    static func log(_ address: EVM.Address, _ event: String, _ indexed: [EVM.Address], data: BigUInt? = nil) -> TransactionReceipt.Log {
        TransactionReceipt.Log(address: address, topics: [Keccak256.hash(Array(event.utf8))] + indexed.map(PlannedTransaction.topic),
                               data: data.map { Array(repeating: 0, count: 32 - $0.minimalBigEndianBytes.count) + $0.minimalBigEndianBytes } ?? [])
    }

    static func receipt(_ logs: [TransactionReceipt.Log], succeeded: Bool = true) -> TransactionReceipt {
        TransactionReceipt(requestId: String(repeating: "ab", count: 32), transactionHash: Array(repeating: 1, count: 32), blockNumber: 9,
                           blockHash: Array(repeating: 2, count: 32), succeeded: succeeded, gasUsed: 50_000, effectiveGasPrice: 1, logs: logs)
    }

    static let transfer = "Transfer(address,address,uint256)"

    @Test func anExactTokenTransferAndAPlainEtherTransferMatch() throws {
        #expect(try Self.transferPlan().differences(from: Self.receipt([Self.log(Self.token, Self.transfer, [Self.vault, Self.kraken], data: 1_000_000)])).isEmpty)
        #expect(Self.plan(data: [], to: Self.kraken, value: 5).differences(from: Self.receipt([])).isEmpty)
        // An approve the request decided may emit its Approval.
        let approve = Self.plan(data: try EVM.ABI.encodeCall("approve(address,uint256)", [.address(Self.kraken), .uint(5)]))
        #expect(approve.differences(from: Self.receipt([Self.log(Self.token, "Approval(address,address,uint256)", [Self.vault, Self.kraken], data: 5)])).isEmpty)
    }

    @Test func aFeeOnTransferTokenThatDeliversOnePercentLessIsAMismatch() throws {
        let found = try Self.transferPlan().differences(from: Self.receipt([Self.log(Self.token, Self.transfer, [Self.vault, Self.kraken], data: 990_000)]))
        #expect(found.count == 1 && found[0].contains("expected one Transfer of 1000000") && found[0].contains("990000 to \(Self.kraken.checksummed)"), "\(found)")
    }

    @Test func aTransferToAnotherRecipientOrFromAnotherTokenOrTwiceIsAMismatch() throws {
        let plan = try Self.transferPlan()
        let elsewhere = plan.differences(from: Self.receipt([Self.log(Self.token, Self.transfer, [Self.vault, Self.other], data: 1_000_000)]))
        #expect(elsewhere.first?.contains("to \(Self.other.checksummed)") == true, "\(elsewhere)")
        // The same Transfer emitted by another contract is not the token's.
        #expect(!plan.differences(from: Self.receipt([Self.log(Self.other, Self.transfer, [Self.vault, Self.kraken], data: 1_000_000)])).isEmpty)
        let twice = Self.log(Self.token, Self.transfer, [Self.vault, Self.kraken], data: 1_000_000)
        #expect(!plan.differences(from: Self.receipt([twice, twice])).isEmpty)
        #expect(!plan.differences(from: Self.receipt([])).isEmpty)
    }

    @Test func anApprovalByTheVaultOrAnOwnershipEventNobodyDecidedIsAMismatch() throws {
        let exact = Self.log(Self.token, Self.transfer, [Self.vault, Self.kraken], data: 1_000_000)
        let approval = Self.log(Self.token, "Approval(address,address,uint256)", [Self.vault, Self.other], data: BigUInt(2).power(256) - 1)
        let found = try Self.transferPlan().differences(from: Self.receipt([exact, approval]))
        #expect(found == ["an unexpected Approval with \(Self.vault.checksummed) as owner, from \(Self.token.checksummed)"])
        let operatorGrant = Self.log(Self.other, "ApprovalForAll(address,address,bool)", [Self.vault, Self.other], data: 1)
        #expect(try Self.transferPlan().differences(from: Self.receipt([exact, operatorGrant])).first?.contains("unexpected ApprovalForAll") == true)
        let upgraded = Self.log(Self.other, "Upgraded(address)", [Self.kraken])
        #expect(try Self.transferPlan().differences(from: Self.receipt([exact, upgraded])) == ["an unexpected Upgraded from \(Self.other.checksummed)"])
        // An ownership transfer the request decided emits its event.
        let handOver = Self.plan(data: try EVM.ABI.encodeCall("transferOwnership(address)", [.address(Self.kraken)]), to: Self.other)
        #expect(handOver.differences(from: Self.receipt([Self.log(Self.other, "OwnershipTransferred(address,address)", [Self.vault, Self.kraken])])).isEmpty)
    }

    @Test func aRevertedTransactionIsAMismatch() throws {
        #expect(Self.plan(data: [], to: Self.kraken, value: 5).differences(from: Self.receipt([], succeeded: false)) == ["the transaction reverted on chain (block 9)"])
    }
}
