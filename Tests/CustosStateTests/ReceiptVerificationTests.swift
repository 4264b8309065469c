import BigInt
import CustosChains
import CustosCore
import CustosCrypto
@testable import CustosState
import Testing

/// Post-execution verification (issue #11 item 7, second half, and its review): every node
/// compares a recorded receipt with the plan's intent (`PlannedTransaction.differences(from:)`),
/// fail-closed over every log whichever contract emitted it, with receipts made by hand as a
/// lying token, a hijacked call or a gateway would shape them.
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

    static let ether = plan(data: [], to: kraken, value: 5)

    static func log(_ address: EVM.Address, _ event: String, _ indexed: [EVM.Address], data: BigUInt? = nil, extra: [[UInt8]] = []) -> TransactionReceipt.Log {
        TransactionReceipt.Log(address: address, topics: [Keccak256.hash(Array(event.utf8))] + indexed.map(PlannedTransaction.topic) + extra,
                               data: data.map(PlannedTransaction.word) ?? [])
    }

    static func receipt(_ logs: [TransactionReceipt.Log], succeeded: Bool = true) -> TransactionReceipt {
        TransactionReceipt(requestId: String(repeating: "ab", count: 32), transactionHash: Array(repeating: 1, count: 32), blockNumber: 9,
                           blockHash: Array(repeating: 2, count: 32), succeeded: succeeded, gasUsed: 50_000, effectiveGasPrice: 1, logs: logs)
    }

    static let transfer = "Transfer(address,address,uint256)"
    static let approval = "Approval(address,address,uint256)"
    static let exact = log(token, transfer, [vault, kraken], data: 1_000_000)

    static func codes(_ found: [ReceiptMismatch]) -> [ReceiptMismatch.Code] { found.map(\.code) }

    @Test func anExactTokenTransferAndAPlainEtherTransferMatch() throws {
        #expect(try Self.transferPlan().differences(from: Self.receipt([Self.exact])).isEmpty)
        #expect(Self.ether.differences(from: Self.receipt([])).isEmpty)
        // Transfers into the vault, and approvals by others, move nothing out of it.
        let incoming = Self.log(Self.other, Self.transfer, [Self.kraken, Self.vault], data: 7)
        let theirs = Self.log(Self.other, Self.approval, [Self.kraken, Self.vault], data: 7)
        #expect(try Self.transferPlan().differences(from: Self.receipt([incoming, Self.exact, theirs])).isEmpty)
        // An approve the request decided may emit exactly its Approval.
        let approve = Self.plan(data: try EVM.ABI.encodeCall("approve(address,uint256)", [.address(Self.kraken), .uint(5)]))
        #expect(approve.differences(from: Self.receipt([Self.log(Self.token, Self.approval, [Self.vault, Self.kraken], data: 5)])).isEmpty)
        // An ERC-721 transfer from the vault: its Transfer, and the clearing of the token's approval.
        let nft = Self.plan(data: try EVM.ABI.encodeCall("transferFrom(address,address,uint256)", [.address(Self.vault), .address(Self.kraken), .uint(42)]))
        let moved = Self.log(Self.token, Self.transfer, [Self.vault, Self.kraken], extra: [PlannedTransaction.word(42)])
        let cleared = Self.log(Self.token, Self.approval, [Self.vault, .zero], extra: [PlannedTransaction.word(42)])
        #expect(nft.differences(from: Self.receipt([cleared, moved])).isEmpty)
        #expect(Self.codes(nft.differences(from: Self.receipt([cleared, moved, cleared]))) == [.unexpectedApproval])
        // A decided upgrade emits its Upgraded from the proxy called.
        let upgrade = Self.plan(data: try EVM.ABI.encodeCall("upgradeTo(address)", [.address(Self.kraken)]), to: Self.other)
        #expect(upgrade.differences(from: Self.receipt([Self.log(Self.other, "Upgraded(address)", [Self.kraken])])).isEmpty)
    }

    @Test func aFeeOnTransferTokenThatDeliversOnePercentLessIsAMismatch() throws {
        let delivered = Self.log(Self.token, Self.transfer, [Self.vault, Self.kraken], data: 990_000)
        let burned = Self.log(Self.token, Self.transfer, [Self.vault, .zero], data: 10_000)
        let found = try Self.transferPlan().differences(from: Self.receipt([delivered, burned]))
        // Review helper-97 M3: every other transfer out of the vault is named as well.
        #expect(Self.codes(found) == [.transferMismatch, .unexpectedTransfer, .unexpectedTransfer], "\(found)")
        #expect(found.dropFirst().map(\.log) == [0, 1])
        #expect(found[0].text.contains("expected one Transfer of 1000000") && found[0].text.contains("990000 to \(Self.kraken.checksummed)")
                && found[0].text.contains("10000 to \(EVM.Address.zero.checksummed)"), "\(found)")
    }

    @Test func aTransferToAnotherRecipientOrFromAnotherTokenOrTwiceIsAMismatch() throws {
        let plan = try Self.transferPlan()
        let elsewhere = plan.differences(from: Self.receipt([Self.log(Self.token, Self.transfer, [Self.vault, Self.other], data: 1_000_000)]))
        #expect(Self.codes(elsewhere) == [.transferMismatch, .unexpectedTransfer] && elsewhere[0].text.contains("to \(Self.other.checksummed)"), "\(elsewhere)")
        // The same Transfer emitted by another contract is not the token's, and a Transfer out of
        // the vault from any contract is a mismatch (it may move a token nobody registered).
        #expect(Self.codes(plan.differences(from: Self.receipt([Self.log(Self.other, Self.transfer, [Self.vault, Self.kraken], data: 1_000_000)])))
                == [.transferMismatch, .unexpectedTransfer])
        #expect(Self.codes(plan.differences(from: Self.receipt([Self.exact, Self.exact]))) == [.unexpectedTransfer])
        #expect(Self.codes(plan.differences(from: Self.receipt([]))) == [.transferMismatch])
        // An amount word with trailing bytes is not the amount.
        let padded = TransactionReceipt.Log(address: Self.token, topics: Self.exact.topics, data: Self.exact.data + [0])
        #expect(Self.codes(plan.differences(from: Self.receipt([padded]))) == [.transferMismatch, .unexpectedTransfer])
        // Review helper-97 M3: the decided transfer missing, and the vault drained by another
        // registered token in the same transaction: the drain is its own unexpected-transfer, at its log.
        let drain = Self.log(Self.other, Self.transfer, [Self.vault, Self.other], data: 5_000_000)
        let drained = plan.differences(from: Self.receipt([drain]), tokens: [Self.token, Self.other])
        #expect(Self.codes(drained) == [.transferMismatch, .unexpectedTransfer] && drained[1].log == 0, "\(drained)")
    }

    /// Review M4: the exact transfer is there, and another registered token drains the vault in
    /// the same transaction (a hijacked token calling out, a malicious multicall).
    @Test func anotherTokensTransferOutOfTheVaultIsAMismatchWhateverTheCall() throws {
        let drain = Self.log(Self.other, Self.transfer, [Self.vault, Self.other], data: 5_000_000)
        let found = try Self.transferPlan().differences(from: Self.receipt([Self.exact, drain]), tokens: [Self.other])
        #expect(found == [ReceiptMismatch(.unexpectedTransfer, log: 1, "log 1: an unexpected Transfer of 5000000 to \(Self.other.checksummed) by \(Self.other.checksummed)")])
        // A native transfer or an unrecognised call decides no token transfer at all.
        #expect(Self.codes(Self.ether.differences(from: Self.receipt([drain]), tokens: [Self.other])) == [.unexpectedTransfer])
        let unknown = Self.plan(data: [0xde, 0xad, 0xbe, 0xef], to: Self.other)
        #expect(Self.codes(unknown.differences(from: Self.receipt([drain]))) == [.unverifiableCall, .unexpectedTransfer])
        // An ERC-721 token leaving the vault, and ERC-1155 tokens leaving it (operator, from, to).
        let nft = Self.log(Self.other, Self.transfer, [Self.vault, Self.other], extra: [PlannedTransaction.word(7)])
        let single = Self.log(Self.other, "TransferSingle(address,address,address,uint256,uint256)", [Self.other, Self.vault, Self.other],
                              data: 1)
        let batch = Self.log(Self.other, "TransferBatch(address,address,address,uint256[],uint256[])", [Self.vault, Self.vault, Self.other])
        #expect(Self.codes(Self.ether.differences(from: Self.receipt([nft, single, batch]), tokens: [Self.other]))
                == [.unexpectedTransfer, .unexpectedTransfer, .unexpectedTransfer])
        // An ERC-1155 transfer the vault operated for someone else moves nothing out of it.
        let operated = Self.log(Self.other, "TransferSingle(address,address,address,uint256,uint256)", [Self.vault, Self.other, Self.kraken], data: 1)
        #expect(Self.ether.differences(from: Self.receipt([operated])).isEmpty)
    }

    /// Review M4: a call whose effects the verification cannot model never verifies clean, even
    /// with an empty receipt; what it does model stays clean, and a decided role grant emits its event.
    @Test func aCallWhoseEffectsCannotBeModelledIsUnverifiable() throws {
        let unknown = Self.plan(data: [0xde, 0xad, 0xbe, 0xef], to: Self.other)
        let found = unknown.differences(from: Self.receipt([]))
        #expect(found.map(\.code) == [.unverifiableCall] && found[0].text.contains("an unknown call (selector 0xdeadbeef)"), "\(found)")
        #expect(!ReceiptMismatch.Code.unverifiableCall.freezes && !ReceiptMismatch.Code.foreignAuthorityEvent.freezes && !ReceiptMismatch.Code.foreignEvent.freezes
                && ReceiptMismatch.Code.unexpectedTransfer.freezes && ReceiptMismatch.Code.unreadableLog.freezes)
        let batch = Self.plan(data: try EVM.ABI.encodeCall("multiSend(bytes)", [.bytes(EVM.MultiSend.pack([]))]), to: Self.other)
        #expect(Self.codes(batch.differences(from: Self.receipt([]))) == [.unverifiableCall])
        #expect(try Self.transferPlan().differences(from: Self.receipt([Self.exact])).isEmpty)
        let role = Array(repeating: UInt8(7), count: 32)
        let grant = Self.plan(data: try EVM.ABI.encodeCall("grantRole(bytes32,address)", [.fixedBytes(role), .address(Self.kraken)]), to: Self.other)
        let granted = Self.log(Self.other, "RoleGranted(bytes32,address,address)", [], extra: [role, PlannedTransaction.topic(Self.kraken), PlannedTransaction.topic(Self.vault)])
        #expect(grant.differences(from: Self.receipt([granted])).isEmpty)
        #expect(Self.codes(grant.differences(from: Self.receipt([granted, granted]))) == [.unexpectedAuthorityChange])
    }

    @Test func anApprovalByTheVaultOrAnAuthorityChangeNobodyDecidedIsAMismatch() throws {
        let unlimited = Self.log(Self.token, Self.approval, [Self.vault, Self.other], data: BigUInt(2).power(256) - 1)
        let found = try Self.transferPlan().differences(from: Self.receipt([Self.exact, unlimited]))
        #expect(found == [ReceiptMismatch(.unexpectedApproval, log: 1, "log 1: an unexpected Approval with \(Self.vault.checksummed) as owner, "
                                          + "to \(Self.other.checksummed), from \(Self.token.checksummed)")])
        let operatorGrant = Self.log(Self.other, "ApprovalForAll(address,address,bool)", [Self.vault, Self.other], data: 1)
        #expect(Self.codes(try Self.transferPlan().differences(from: Self.receipt([Self.exact, operatorGrant]), tokens: [Self.other])) == [.unexpectedApproval])
        let upgraded = Self.log(Self.other, "Upgraded(address)", [Self.kraken])
        #expect(try Self.transferPlan().differences(from: Self.receipt([Self.exact, upgraded]), tokens: [Self.other])
                == [ReceiptMismatch(.unexpectedAuthorityChange, log: 1, "log 1: an unexpected Upgraded from \(Self.other.checksummed)")])
        // Review helper-97 M5: from a contract neither called nor a registered token, its own code.
        #expect(try Self.transferPlan().differences(from: Self.receipt([Self.exact, upgraded]))
                == [ReceiptMismatch(.foreignAuthorityEvent, log: 1, "log 1: an Upgraded from \(Self.other.checksummed), neither the contract called nor a registered token")])
        // An ownership transfer the request decided emits its event; the contract called only.
        let handOver = Self.plan(data: try EVM.ABI.encodeCall("transferOwnership(address)", [.address(Self.kraken)]), to: Self.other)
        let event = Self.log(Self.other, "OwnershipTransferred(address,address)", [Self.vault, Self.kraken])
        #expect(handOver.differences(from: Self.receipt([event])).isEmpty)
        #expect(Self.codes(handOver.differences(from: Self.receipt([event, event]))) == [.unexpectedAuthorityChange])
        #expect(Self.codes(handOver.differences(from: Self.receipt([Self.log(Self.other, "OwnershipTransferred(address,address)", [Self.vault, Self.other])])))
                == [.unexpectedAuthorityChange])
    }

    /// Review M4: the decided approval comes with a second one, of another amount, or from
    /// another contract; the decided upgrade comes with an Upgraded of another proxy.
    @Test func anythingButExactlyTheDecidedApprovalOrChangeIsAMismatch() throws {
        let approve = Self.plan(data: try EVM.ABI.encodeCall("approve(address,uint256)", [.address(Self.kraken), .uint(5)]))
        let decided = Self.log(Self.token, Self.approval, [Self.vault, Self.kraken], data: 5)
        #expect(Self.codes(approve.differences(from: Self.receipt([decided, Self.log(Self.token, Self.approval, [Self.vault, Self.other], data: 5)])))
                == [.unexpectedApproval])
        #expect(Self.codes(approve.differences(from: Self.receipt([Self.log(Self.token, Self.approval, [Self.vault, Self.kraken], data: 6)]))) == [.unexpectedApproval])
        #expect(Self.codes(approve.differences(from: Self.receipt([Self.log(Self.other, Self.approval, [Self.vault, Self.kraken], data: 5)]))) == [.foreignEvent])
        #expect(Self.codes(approve.differences(from: Self.receipt([Self.log(Self.other, Self.approval, [Self.vault, Self.kraken], data: 5)]), tokens: [Self.other]))
                == [.unexpectedApproval])
        #expect(Self.codes(approve.differences(from: Self.receipt([decided, decided]))) == [.unexpectedApproval])
        let upgrade = Self.plan(data: try EVM.ABI.encodeCall("upgradeTo(address)", [.address(Self.kraken)]), to: Self.other)
        #expect(Self.codes(upgrade.differences(from: Self.receipt([Self.log(Self.token, "Upgraded(address)", [Self.kraken])]), tokens: [Self.token]))
                == [.unexpectedAuthorityChange])
        #expect(Self.codes(upgrade.differences(from: Self.receipt([Self.log(Self.token, "Upgraded(address)", [Self.kraken])]))) == [.foreignAuthorityEvent])
        #expect(Self.codes(upgrade.differences(from: Self.receipt([Self.log(Self.other, "Upgraded(address)", [Self.other])]))) == [.unexpectedAuthorityChange])
        // A decided admin change: EIP-1967's AdminChanged(previous, new), neither indexed.
        let admin = Self.plan(data: try EVM.ABI.encodeCall("changeAdmin(address)", [.address(Self.kraken)]), to: Self.other)
        let changed = TransactionReceipt.Log(address: Self.other, topics: [Keccak256.hash(Array("AdminChanged(address,address)".utf8))],
                                             data: PlannedTransaction.topic(Self.vault) + PlannedTransaction.topic(Self.kraken))
        #expect(admin.differences(from: Self.receipt([changed])).isEmpty)
        #expect(Self.codes(Self.ether.differences(from: Self.receipt([changed]))) == [.foreignAuthorityEvent])
        #expect(Self.codes(Self.ether.differences(from: Self.receipt([changed]), tokens: [Self.other])) == [.unexpectedAuthorityChange])
    }

    /// Review: a log cut short of the topics its signature needs (a non-standard token putting
    /// everything in its data, or a forger) is unreadable, never a pass.
    /// From a contract that holds nothing of the vault's (neither called nor a registered
    /// token), such a log is a foreign event (review M2), unless it is a transfer, which may
    /// really move a token nobody registered (review helper-118 M1).
    @Test func aLogWithTooFewTopicsForItsSignatureIsUnreadable() throws {
        let bare = TransactionReceipt.Log(address: Self.token, topics: [Keccak256.hash(Array(Self.transfer.utf8))],
                                          data: PlannedTransaction.topic(Self.vault) + PlannedTransaction.topic(Self.other) + PlannedTransaction.word(9))
        let found = try Self.transferPlan().differences(from: Self.receipt([Self.exact, bare]))
        #expect(found == [ReceiptMismatch(.unreadableLog, log: 1, "log 1: a Transfer from \(Self.token.checksummed) with 1 topic, too few to tell whom it concerns (it needs 3)")])
        let halfApproval = Self.log(Self.token, Self.approval, [Self.vault])
        #expect(Self.codes(Self.ether.differences(from: Self.receipt([halfApproval]), tokens: [Self.token])) == [.unreadableLog])
        let single = Self.log(Self.other, "TransferSingle(address,address,address,uint256,uint256)", [Self.vault, Self.vault])
        #expect(Self.codes(Self.ether.differences(from: Self.receipt([single]), tokens: [Self.other])) == [.unreadableLog])
        let upgraded = Self.log(Self.other, "Upgraded(address)", [])
        #expect(Self.codes(Self.ether.differences(from: Self.receipt([upgraded]), tokens: [Self.other])) == [.unreadableLog])
        // The same logs from a contract that is neither called nor a registered token.
        let foreignBare = TransactionReceipt.Log(address: Self.other, topics: bare.topics, data: bare.data)
        #expect(try Self.transferPlan().differences(from: Self.receipt([Self.exact, foreignBare]))
                == [ReceiptMismatch(.unreadableLog, log: 1, "log 1: a Transfer from \(Self.other.checksummed) with 1 topic, too few to tell whom it concerns (it needs 3)")])
        #expect(Self.codes(Self.ether.differences(from: Self.receipt([halfApproval, single, upgraded]))) == [.foreignEvent, .unreadableLog, .foreignEvent])
    }

    /// Review M2, as an attacker would try it: the recipient of a native transfer, or a token
    /// nobody registered, emits an Approval naming the vault as owner, or an authority event, to
    /// freeze the cluster. Those are foreign events, never freezing. A Transfer out of the vault
    /// stays a mismatch whoever emits it (review helper-113 H1): an unregistered token or an NFT
    /// the vault really holds can be pulled by a contract holding an earlier allowance.
    @Test func aContractEmittingTheVaultsApprovalIsForeignButATransferOutOfTheVaultNeverIs() throws {
        let fakeDrain = Self.log(Self.kraken, Self.transfer, [Self.vault, Self.other], data: 5_000_000)
        let fakeGrant = Self.log(Self.kraken, Self.approval, [Self.vault, Self.other], data: BigUInt(2).power(256) - 1)
        let found = Self.ether.differences(from: Self.receipt([fakeDrain, fakeGrant]))
        #expect(found == [
            ReceiptMismatch(.foreignEvent, log: 1, "log 1: an Approval with \(Self.vault.checksummed) as owner, to \(Self.other.checksummed); "
                            + "\(Self.kraken.checksummed) is neither the contract called nor a registered token"),
            ReceiptMismatch(.unexpectedTransfer, log: 0, "log 0: an unexpected Transfer of 5000000 to \(Self.other.checksummed) by \(Self.kraken.checksummed)"),
        ], "\(found)")
        #expect(found.map(\.code.freezes) == [false, true])
        // The recipient of a native transfer upgrading or handing over itself: foreign, not freezing.
        let upgraded = Self.log(Self.kraken, "Upgraded(address)", [Self.other])
        #expect(Self.codes(Self.ether.differences(from: Self.receipt([upgraded]))) == [.foreignAuthorityEvent])
        // The token the call transfers, and a registered one, move the vault's funds.
        let tokenDrain = Self.log(Self.token, Self.transfer, [Self.vault, Self.other], data: 5_000_000)
        #expect(Self.codes(try Self.transferPlan().differences(from: Self.receipt([Self.exact, tokenDrain]))) == [.unexpectedTransfer])
        #expect(Self.codes(Self.ether.differences(from: Self.receipt([tokenDrain]), tokens: [Self.token])) == [.unexpectedTransfer])
        #expect(Self.codes(Self.ether.differences(from: Self.receipt([fakeDrain, fakeGrant]), tokens: [Self.kraken])) == [.unexpectedApproval, .unexpectedTransfer])
    }

    /// Review: a receipt carries every log, so a transfer cannot hide behind 16 harmless ones or
    /// in data too long to carry.
    @Test func logsBeyondTheCarriedOnesOrCutDataAreNeverAPass() throws {
        let noise = Self.log(Self.other, "Sync(uint112,uint112)", [], data: 1)
        let seventeen = Self.receipt(Array(repeating: noise, count: 16) + [Self.exact])
        #expect(seventeen.logCount == 17 && seventeen.logs.count == 16 && !seventeen.carriesEveryLog)
        let found = try Self.transferPlan().differences(from: seventeen)
        #expect(Self.codes(found) == [.tooManyLogs, .transferMismatch], "\(found)")
        #expect(found[0].text == "too many logs to verify: the transaction emitted 17 and a receipt carries 16")
        // A 600-byte log is carried cut, with its length and digest; harmless, it changes nothing.
        let long = TransactionReceipt.Log(address: Self.other, topics: [Array(repeating: 7, count: 32)], data: Array(repeating: 0x5a, count: 600))
        let withLong = Self.receipt([long, Self.exact])
        let carried = withLong.logs[0]
        #expect(carried.data.count == 512 && carried.dataLength == 600 && carried.dataDigest == Keccak256.hash(Array(repeating: 0x5a, count: 600)))
        #expect(try Self.transferPlan().differences(from: withLong).isEmpty)
        // A Transfer out of the vault whose amount is cut is not the decided one.
        let cutTransfer = TransactionReceipt.Log(address: Self.token, topics: Self.exact.topics, data: Self.exact.data + Array(repeating: 0, count: 600))
        #expect(Self.codes(try Self.transferPlan().differences(from: Self.receipt([cutTransfer]))) == [.transferMismatch, .unexpectedTransfer])
    }

    @Test func aRevertedTransactionIsAMismatch() throws {
        #expect(Self.ether.differences(from: Self.receipt([], succeeded: false)) == [ReceiptMismatch(.reverted, "the transaction reverted on chain (block 9)")])
        #expect(Self.codes(try Self.transferPlan().differences(from: Self.receipt([], succeeded: false))) == [.reverted])
    }
}
