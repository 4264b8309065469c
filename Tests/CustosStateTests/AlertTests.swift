import BigInt
import CustosChains
import CustosCore
import CustosCrypto
import CustosLedger
@testable import CustosState
import Testing

/// Alerts (issue #11 item 7): every node derives them when it applies a block, nobody posts
/// them. A receipt that differs from its intent or reverted raises one on the executor's word
/// (`reported`); a signed transaction without a receipt past its chain's deadline raises one by
/// block time alone.
@Suite struct AlertTests {
    let receipts = TransactionReceiptTests()

    /// A receipt of the signed transfer of `id` in `c` carrying `logs`.
    func receipt(_ c: Cluster, _ id: String, succeeded: Bool = true, logs: [TransactionReceipt.Log] = []) throws -> Entry {
        let hash = try #require(c.state.transactions[id]?.transactionHash)
        return try receipts.entry(try TransactionReceiptTests.receipt(id, hash: hash, succeeded: succeeded, logs: logs), in: c)
    }

    @Test func aMismatchedOrRevertedReceiptRaisesAReportedAlertAndAMatchingOneNone() throws {
        var (c, id) = try receipts.signed()
        let vault = try #require(c.state.transactions[id]?.from)
        // The ether transfer also drained the vault's USDC: a Transfer out of it nobody decided.
        let drain = TransactionReceipt.Log(address: try EVM.Address(hex: Cluster.usdc),
                                           topics: [Keccak256.hash(Array("Transfer(address,address,uint256)".utf8)), PlannedTransaction.topic(vault),
                                                    PlannedTransaction.topic(try EVM.Address(hex: Cluster.stranger))],
                                           data: PlannedTransaction.word(1_000_000))
        let before = c.state.digest
        #expect(c.apply(try receipt(c, id, logs: [drain])) == .mined(requestId: id, succeeded: true))
        let hash = try #require(c.state.transactions[id]?.transactionHash)
        #expect(c.state.alerts.all == [Alert(id: 1, kind: .receiptMismatch, requestId: id, vault: "hot", chain: "ethereum", transactionHash: hash,
                                             codes: [.unexpectedTransfer], basis: .reported, height: c.state.height, blockTime: c.now)])
        #expect(c.state.digest != before)

        var (reverted, revertedId) = try receipts.signed()
        #expect(reverted.apply(try receipt(reverted, revertedId, succeeded: false)) == .mined(requestId: revertedId, succeeded: false))
        #expect(reverted.state.alerts.all.map(\.kind) == [.minedReverted] && reverted.state.alerts.all[0].codes == [.reverted])

        var (honest, honestId) = try receipts.signed()
        #expect(honest.apply(try receipt(honest, honestId)) == .mined(requestId: honestId, succeeded: true))
        #expect(honest.state.alerts.all.isEmpty)
    }

    @Test func aSignedTransactionWithoutAReceiptPastItsChainsDeadlineRaisesOneAlert() throws {
        var (c, id) = try receipts.signed()
        let signedAt = try #require(c.state.transactions[id]?.signedAt)
        c.state.advance(to: signedAt + AlertPolicyDefaults.thirtyMinutes - 1)
        #expect(c.state.alerts.all.isEmpty, "not due yet")
        c.state.advance(to: signedAt + AlertPolicyDefaults.thirtyMinutes)
        let alert = try #require(c.state.alerts.all.first)
        #expect(c.state.alerts.all.count == 1 && alert.kind == .receiptOverdue && alert.basis == .blockTime && alert.codes.isEmpty
                && alert.requestId == id && alert.blockTime == signedAt + AlertPolicyDefaults.thirtyMinutes)
        c.state.advance(to: signedAt + 2 * AlertPolicyDefaults.thirtyMinutes)
        #expect(c.state.alerts.all.count == 1, "raised once")
        // The receipt comes late, and matches: it is recorded, and raises nothing more.
        c.now = c.state.time
        #expect(c.apply(try receipt(c, id)) == .mined(requestId: id, succeeded: true))
        #expect(c.state.alerts.all.count == 1)
        #expect(c.state.transactions.awaitingReceipt.isEmpty)
    }

    /// Review helper-97 M6: a block with nothing due looks at no plan; the earliest deadline,
    /// a new signature and a policy change make it look again.
    @Test func theOverdueCheckWaitsForTheEarliestDeadline() throws {
        var (c, id) = try receipts.signed()
        let signedAt = try #require(c.state.transactions[id]?.signedAt)
        c.state.advance(to: signedAt + 1000)
        #expect(c.state.overdueCheck?.due == signedAt + AlertPolicyDefaults.thirtyMinutes)
        c.state.advance(to: signedAt + AlertPolicyDefaults.thirtyMinutes)
        #expect(c.state.alerts.all.map(\.kind) == [.receiptOverdue] && c.state.overdueCheck?.due == .max)
    }

    @Test func thePolicySetsEachChainsDeadline() throws {
        var (c, id) = try receipts.signed()
        try c.govern(.changePolicy(yaml: Cluster.transactionPolicy(version: 3) + "\nalerts:\n  receipt_deadline_by_chain: {ethereum: 10m}\n"))
        let signedAt = try #require(c.state.transactions[id]?.signedAt)
        c.state.advance(to: signedAt + 10 * 60_000 - 1)
        #expect(c.state.alerts.all.isEmpty)
        c.state.advance(to: signedAt + 10 * 60_000)
        #expect(c.state.alerts.all.map(\.kind) == [.receiptOverdue])
    }

    enum AlertPolicyDefaults {
        static let thirtyMinutes: UInt64 = 30 * 60_000
    }
}
