import BigInt
import CustosChains
import CustosCore
import CustosCrypto

extension PlannedTransaction {
    /// What differs between `receipt` and this plan's intent, fail-closed: empty only when the
    /// outcome is what was decided. Checked, over every log whichever contract emitted it:
    /// - the status is success, and every log the transaction emitted is carried (`too-many-logs`);
    /// - a log with the signature of a `ReceiptEvent` but too few topics to say whom it concerns
    ///   is `unreadable-log`, never a pass;
    /// - no ERC-20/721 `Transfer` or ERC-1155 `TransferSingle`/`TransferBatch` moves anything out
    ///   of the sender, except the one the decoded call decides (an ERC-20 `transfer`, or a
    ///   `transferFrom`/ERC-721 transfer from the sender): exactly one `Transfer` of the decided
    ///   amount or token id to the decided recipient, emitted by the called token. Missing,
    ///   different or doubled, it is `transfer-mismatch` (a fee-on-transfer token that delivers
    ///   less is one); any other is `unexpected-transfer`, whether the decided one is there or
    ///   not (review helper-97 M3);
    /// - no `Approval`/`ApprovalForAll` has the sender as owner, except exactly the one a decided
    ///   `approve`, `increaseAllowance` (any resulting allowance) or `setApprovalForAll` emits from
    ///   the called contract, and an ERC-721 transfer's clearing of the token's approval;
    /// - no `OwnershipTransferred`, `AdminChanged`, `Upgraded` or `RoleGranted` from any contract,
    ///   except exactly the change a decided ownership transfer or renouncement, admin change or
    ///   upgrade makes, emitted by the called contract: from the called contract or one of
    ///   `tokens` (the chain's registered token contracts) it is `unexpected-authority-change`,
    ///   from any other contract `foreign-authority-event` (review helper-97 M5).
    /// - a call whose effects it cannot model (`isUnverifiable`) is `unverifiable-call`, whatever the logs.
    ///
    /// Any contract the transaction touches can emit any log (review M2: a hostile token or a
    /// router a transfer passes through): an `Approval` or an unreadable log other than a transfer
    /// is read as granting what the vault holds only when it comes from a contract that holds it —
    /// a registered token, or the contract a call (with calldata) was made to. From any other
    /// contract it is `foreign-event`, which is shown but never freezes signing. A transfer out of
    /// the vault, readable or not, is a mismatch whoever emits it (review helper-113 H1): a token
    /// nobody registered, or an NFT, may really have moved. The decided transfer missing stays
    /// `transfer-mismatch` wherever a look-alike came from.
    /// Pure: no I/O, the same on every node.
    public func differences(from receipt: TransactionReceipt, tokens: Set<EVM.Address> = []) -> [ReceiptMismatch] {
        var out: [ReceiptMismatch] = []
        if let call = unverifiableCall {
            out.append(ReceiptMismatch(.unverifiableCall, "the effects of \(call) are not modelled: only transfers, approvals and authority changes were checked"))
        }
        if !receipt.succeeded { out.append(ReceiptMismatch(.reverted, "the transaction reverted on chain (block \(receipt.blockNumber))")) }
        if !receipt.carriesEveryLog {
            out.append(ReceiptMismatch(.tooManyLogs, "too many logs to verify: the transaction emitted \(receipt.logCount) and a receipt carries \(receipt.logs.count)"))
        }
        let (transfer, allowed) = expectedLogs()
        var remaining = allowed
        var transferFound = false
        var outgoing: [(index: Int, log: TransactionReceipt.Log, event: ReceiptEvent)] = []
        let sender = Self.topic(from)
        // The contracts whose events can move or grant what the vault holds; a native transfer's
        // recipient is not one of them (its logs move no ether); a deployment's new contract is.
        let called = to ?? contractAddress
        let holders = data.isEmpty ? tokens : tokens.union(called.map { [$0] } ?? [])
        func foreign(_ i: Int, _ log: TransactionReceipt.Log, _ what: String) -> ReceiptMismatch {
            ReceiptMismatch(.foreignEvent, log: i, "log \(i): \(what); \(log.address.checksummed) is neither the contract called nor a registered token")
        }
        for (i, log) in receipt.logs.enumerated() {
            guard let first = log.topics.first, let event = ReceiptEvent(topic: first) else { continue }
            // A transfer too short to read may be a real one out of the vault (an old token or NFT
            // that indexes nothing), so it is unreadable whoever emitted it (review helper-118 M1).
            let isTransfer = event == .transfer || event == .transferSingle || event == .transferBatch
            guard log.topics.count >= event.minimumTopics || (!holders.contains(log.address) && !isTransfer) else {
                out.append(ReceiptMismatch(.unreadableLog, log: i, "log \(i): a \(event.name) from \(log.address.checksummed) with \(log.topics.count) "
                                           + "topic\(log.topics.count == 1 ? "" : "s"), too few to tell whom it concerns (it needs \(event.minimumTopics))"))
                continue
            }
            guard log.topics.count >= event.minimumTopics else {
                out.append(foreign(i, log, "a \(event.name) with \(log.topics.count) topic\(log.topics.count == 1 ? "" : "s"), too few to tell whom it concerns"))
                continue
            }
            if let subject = event.subjectTopic, log.topics[subject] != sender { continue }
            switch event {
            case .transfer, .transferSingle, .transferBatch:
                // Out of the vault from any emitter: a token nobody registered, or an NFT, that
                // the vault holds and an earlier allowance lets a hostile contract pull, is a real
                // loss (review helper-113 H1). A forged one can freeze signing; a missed one
                // cannot be undone, so it is a mismatch whoever emitted it.
                if !transferFound, transfer.contains(where: { $0.matches(log) }) {
                    transferFound = true
                } else {
                    outgoing.append((i, log, event))
                }
            case .approval, .approvalForAll, .ownershipTransferred, .adminChanged, .upgraded, .roleGranted:
                if let k = remaining.firstIndex(where: { $0.matches(log) }) {
                    remaining.remove(at: k)
                } else if (event == .approval || event == .approvalForAll) && !holders.contains(log.address) {
                    out.append(foreign(i, log, "an \(event.name) with \(from.checksummed) as owner, to \(Self.address(log.topics[2]))"))
                } else if event == .approval || event == .approvalForAll {
                    out.append(ReceiptMismatch(.unexpectedApproval, log: i, "log \(i): an unexpected \(event.name) with \(from.checksummed) as owner, "
                                               + "to \(Self.address(log.topics[2])), from \(log.address.checksummed)"))
                } else if !holders.contains(log.address) {
                    out.append(ReceiptMismatch(.foreignAuthorityEvent, log: i, "log \(i): an \(event.name) from \(log.address.checksummed), "
                                               + "neither the contract called nor a registered token"))
                } else {
                    out.append(ReceiptMismatch(.unexpectedAuthorityChange, log: i, "log \(i): an unexpected \(event.name) from \(log.address.checksummed)"))
                }
            }
        }
        if let transfer = transfer.first, !transferFound, receipt.succeeded {
            let seen = outgoing.map { Self.describe($0.log, $0.event) }
            out.append(ReceiptMismatch(.transferMismatch, "expected one Transfer of \(Self.word(transfer))from \(from.checksummed) to "
                                       + "\(Self.address(transfer.topics[1])) by token \(transfer.emitter.checksummed); the receipt has \(outgoing.count) out of it"
                                       + (seen.isEmpty ? "" : ": " + seen.joined(separator: ", "))))
        }
        out += outgoing.map { ReceiptMismatch(.unexpectedTransfer, log: $0.index, "log \($0.index): an unexpected " + Self.describe($0.log, $0.event)) }
        return out
    }

    /// The one transfer out of the sender the decoded call decides, in the shapes it may take
    /// (none when it decides none), and the approval and authority events it may emit.
    /// `transferFrom` has one selector for ERC-20 and ERC-721 and the verification knows no
    /// registry, so from the sender it expects either shape of the same number.
    func expectedLogs() -> (transfer: [ExpectedReceiptLog], allowed: [ExpectedReceiptLog]) {
        guard !data.isEmpty else { return ([], []) }
        let action = EVM.IntentDecoder(registry: EVM.Registry(nativeSymbol: "", nativeDecimals: 18)).decode(to: to, value: value, data: data).action
        let sender = Self.topic(from)
        switch action {
        case .erc20Transfer(let token, let recipient, let amount):
            return ([ExpectedReceiptLog(event: .transfer, emitter: token, topics: [sender, Self.topic(recipient)], data: .exactly(Self.word(amount)))], [])
        case .erc20TransferFrom(let token, let owner, let recipient, let amount) where owner == from:
            return ([ExpectedReceiptLog(event: .transfer, emitter: token, topics: [sender, Self.topic(recipient)], data: .exactly(Self.word(amount)))]
                    + Self.collectible(token, sender: sender, to: recipient, id: amount).transfer,
                    Self.collectible(token, sender: sender, to: recipient, id: amount).allowed)
        case .erc721Transfer(let token, let owner, let recipient, let tokenID, _, _) where owner == from:
            let nft = Self.collectible(token, sender: sender, to: recipient, id: tokenID)
            return (nft.transfer, nft.allowed)
        case .erc20Approve(let token, let spender, let amount):
            return ([], [ExpectedReceiptLog(event: .approval, emitter: token, topics: [sender, Self.topic(spender)], data: .exactly(Self.word(amount)))])
        case .erc20IncreaseAllowance(let token, let spender, _):
            return ([], [ExpectedReceiptLog(event: .approval, emitter: token, topics: [sender, Self.topic(spender)], data: .anyWord)])
        case .erc721SetApprovalForAll(let token, let op, let approved):
            return ([], [ExpectedReceiptLog(event: .approvalForAll, emitter: token, topics: [sender, Self.topic(op)], data: .exactly(Self.word(approved ? 1 : 0)))])
        case .transferOwnership(let contract, let newOwner):
            return ([], [ExpectedReceiptLog(event: .ownershipTransferred, emitter: contract, topics: [sender, Self.topic(newOwner)], data: .exactly([]))])
        case .renounceOwnership(let contract):
            return ([], [ExpectedReceiptLog(event: .ownershipTransferred, emitter: contract, topics: [sender, Self.topic(.zero)], data: .exactly([]))])
        case .proxyChangeAdmin(let proxy, let newAdmin):
            return ([], [ExpectedReceiptLog(event: .adminChanged, emitter: proxy, topics: [], data: .exactly(sender + Self.topic(newAdmin)))])
        case .proxyUpgradeTo(let proxy, let implementation), .proxyUpgradeToAndCall(let proxy, let implementation, _):
            return ([], [ExpectedReceiptLog(event: .upgraded, emitter: proxy, topics: [Self.topic(implementation)], data: .exactly([]))])
        case .grantRole(let contract, let role, let account) where role.count == 32:
            return ([], [ExpectedReceiptLog(event: .roleGranted, emitter: contract, topics: [role, Self.topic(account), sender], data: .exactly([]))])
        default:
            return ([], [])
        }
    }

    /// What the decoded call is, in words, when the verification cannot model its effects: a
    /// Safe transaction or owner change, a multisend, a contract creation, an upgrade that also
    /// calls, an unknown or malformed call; nil for the calls it checks (and a plain transfer).
    /// A deployment's effects are verified by the members' readings of its code and initial
    /// state instead (`deploymentDifferences`).
    var unverifiableCall: String? {
        guard !data.isEmpty, deployment == nil else { return nil }
        switch EVM.IntentDecoder(registry: EVM.Registry(nativeSymbol: "", nativeDecimals: 18)).decode(to: to, value: value, data: data).action {
        case .safeExecTransaction: return "a Safe execTransaction"
        case .safeAddOwner, .safeRemoveOwner, .safeSwapOwner, .safeChangeThreshold: return "a Safe owner change"
        case .multiSend: return "a multisend"
        case .contractCreation: return "a contract creation"
        case .proxyUpgradeToAndCall: return "an upgrade that also calls its new implementation"
        case .unknownCall(_, let selector, _): return "an unknown call" + (selector.map { " (selector 0x\($0.hexString))" } ?? "")
        case .malformedCall(_, let function, _): return "a malformed \(function.printable(limit: 64)) call"
        default: return nil
        }
    }

    /// An ERC-721 token `id` leaving the sender: its `Transfer`, and the clearing of its approval
    /// (`Approval(owner, 0, id)`) that older collections emit with it.
    private static func collectible(_ token: EVM.Address, sender: [UInt8], to: EVM.Address, id: BigUInt)
        -> (transfer: [ExpectedReceiptLog], allowed: [ExpectedReceiptLog]) {
        ([ExpectedReceiptLog(event: .transfer, emitter: token, topics: [sender, topic(to), word(id)], data: .exactly([]))],
         [ExpectedReceiptLog(event: .approval, emitter: token, topics: [sender, topic(.zero), word(id)], data: .exactly([]))])
    }

    /// An outgoing transfer in words: amount or token id, recipient and emitter, as far as the log says.
    static func describe(_ log: TransactionReceipt.Log, _ event: ReceiptEvent) -> String {
        let to = log.topics.count > 3 && event != .transfer ? address(log.topics[3]) : log.topics.count > 2 ? address(log.topics[2]) : "?"
        let what: String
        if event != .transfer {
            what = event.name
        } else if log.topics.count == 4 {
            what = "Transfer of token id \(BigUInt(bigEndian: log.topics[3]))"
        } else if log.isWhole && log.data.count == 32 {
            what = "Transfer of \(BigUInt(bigEndian: log.data))"
        } else {
            what = "Transfer of an unreadable amount"
        }
        return "\(what) to \(to) by \(log.address.checksummed)"
    }

    /// The amount an expected ERC-20 transfer names, or the token id of an ERC-721 one, then a space.
    private static func word(_ transfer: ExpectedReceiptLog) -> String {
        if transfer.topics.count == 3 { return "token id \(BigUInt(bigEndian: transfer.topics[2])) " }
        if case .exactly(let bytes) = transfer.data { return "\(BigUInt(bigEndian: bytes)) " }
        return ""
    }

    /// An address as an indexed event topic: 12 zero bytes and its 20 bytes.
    static func topic(_ address: EVM.Address) -> [UInt8] { Array(repeating: 0, count: 12) + address.rawValue }

    /// A uint256 as a 32-byte big-endian word.
    static func word(_ value: BigUInt) -> [UInt8] {
        let bytes = value.minimalBigEndianBytes
        return Array(repeating: 0, count: 32 - bytes.count) + bytes
    }

    /// The address in a 32-byte topic, EIP-55, or the topic's hex where its first 12 bytes are not zero.
    static func address(_ topic: [UInt8]) -> String {
        guard topic.prefix(12).allSatisfy({ $0 == 0 }), let a = try? EVM.Address(Array(topic.suffix(20))) else { return "0x" + topic.hexString }
        return a.checksummed
    }
}
