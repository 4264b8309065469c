import BigInt
import CustosChains
import CustosCore
import CustosCrypto
import CustosLedger
@testable import CustosState
import Testing

/// Nodes confirm receipts themselves (issue #11 item 7, review helper-97 H1): a member with its
/// own chain endpoint commits a signed `request.receipt-check` naming the digest of the receipt it
/// read, or none; f+1 agreeing checks confirm the executor's receipt, a disagreeing one raises
/// `receipt-disputed`, and f+1 disagreeing ones make it `disputed`. Four members: f = 1, so two.
@Suite struct ReceiptCheckTests {
    let receipts = TransactionReceiptTests()
    var nodes: [VaultCeremonyTests.Node] { receipts.ecdsa.ceremony.nodes }

    /// A Transfer of 1 USDC out of `vault` to the stranger: a drain nobody decided.
    static func drain(_ vault: EVM.Address) throws -> TransactionReceipt.Log {
        TransactionReceipt.Log(address: try EVM.Address(hex: Cluster.usdc),
                               topics: [Keccak256.hash(Array("Transfer(address,address,uint256)".utf8)), PlannedTransaction.topic(vault),
                                        PlannedTransaction.topic(try EVM.Address(hex: Cluster.stranger))],
                               data: PlannedTransaction.word(1_000_000))
    }

    /// An Approval by `vault` of everything it holds to the stranger.
    static func approval(_ vault: EVM.Address) throws -> TransactionReceipt.Log {
        TransactionReceipt.Log(address: try EVM.Address(hex: Cluster.usdc),
                               topics: [Keccak256.hash(Array("Approval(address,address,uint256)".utf8)), PlannedTransaction.topic(vault),
                                        PlannedTransaction.topic(try EVM.Address(hex: Cluster.stranger))],
                               data: Array(repeating: 0xff, count: 32))
    }

    /// The receipt the chain holds for the signed transfer of `id` (what an honest endpoint
    /// returns), with `logs`.
    func chainReceipt(_ c: Cluster, _ id: String, logs: [TransactionReceipt.Log]) throws -> TransactionReceipt {
        try TransactionReceiptTests.receipt(id, hash: try #require(c.state.transactions[id]?.transactionHash), logs: logs)
    }

    /// `node`'s check of the recorded receipt of `id`, having read `read` (nil: none).
    func check(_ c: Cluster, _ id: String, read: TransactionReceipt?, by node: VaultCeremonyTests.Node) throws -> Entry {
        let recorded = try #require(c.state.transactions[id]?.receipt)
        return try ReceiptCheckEntry(of: recorded, read: read).entry(signedBy: node.identity, genesisDigest: c.state.genesisDigest)
    }

    @Test func anExecutorThatOmitsALogIsDisputedByTheNodesOwnReadings() throws {
        var (c, id) = try receipts.signed()
        let vault = try #require(c.state.transactions[id]?.from)
        // The chain holds the drain; the executor reports the transfer without it, so nothing differs from the intent.
        let truth = try chainReceipt(c, id, logs: [try Self.drain(vault)])
        #expect(c.apply(try receipts.entry(try chainReceipt(c, id, logs: []), in: c)) == .mined(requestId: id, succeeded: true))
        #expect(c.state.transactions[id]?.mismatches == [] && c.state.alerts.all.isEmpty)
        #expect(c.apply(try check(c, id, read: truth, by: nodes[0])) == .receiptChecked(requestId: id, agrees: false, verdict: nil))
        var alert = try #require(c.state.alerts.alert(.receiptDisputed, request: id))
        #expect(alert.basis == .checked && alert.members == ["node-1"] && c.state.transactions[id]?.receiptVerdict == nil)
        // A second node whose endpoint holds no receipt at all: f+1 disagree, the receipt is disputed.
        #expect(c.apply(try check(c, id, read: nil, by: nodes[1])) == .receiptChecked(requestId: id, agrees: false, verdict: .disputed))
        alert = try #require(c.state.alerts.alert(.receiptDisputed, request: id))
        #expect(alert.members == ["node-1", "node-2"] && c.state.alerts.all.count == 1, "one alert naming both")
        let plan = try #require(c.state.transactions[id])
        #expect(plan.receiptVerdict == .disputed && plan.receiptChecks.map(\.member) == ["node-1", "node-2"])
        #expect(plan.receiptChecks.map(\.digest) == [truth.digest, nil])
        // A lying node agreeing with the executor afterwards does not undo it.
        #expect(c.apply(try check(c, id, read: plan.receipt, by: nodes[2])) == .receiptChecked(requestId: id, agrees: true, verdict: nil))
        #expect(c.state.transactions[id]?.receiptVerdict == .disputed)
    }

    @Test func anExecutorThatMakesUpAnApprovalIsDisputedNotConfirmed() throws {
        var (c, id) = try receipts.signed()
        let vault = try #require(c.state.transactions[id]?.from)
        let truth = try chainReceipt(c, id, logs: [])
        // A made-up Approval: the recorded receipt differs from the intent, on the executor's word.
        #expect(c.apply(try receipts.entry(try chainReceipt(c, id, logs: [try Self.approval(vault)]), in: c)) == .mined(requestId: id, succeeded: true))
        #expect(c.state.alerts.all.map(\.kind) == [.receiptMismatch] && c.state.alerts.all[0].basis == .reported)
        for node in nodes.prefix(2) { c.apply(try check(c, id, read: truth, by: node)) }
        #expect(c.state.transactions[id]?.receiptVerdict == .disputed)
        #expect(c.state.alerts.alert(.receiptMismatch, request: id)?.basis == .reported, "never confirmed")
        #expect(c.state.alerts.alert(.receiptDisputed, request: id)?.members == ["node-1", "node-2"])
    }

    @Test func fPlusOneAgreeingChecksConfirmTheReceiptAndItsAlert() throws {
        var (c, id) = try receipts.signed()
        let vault = try #require(c.state.transactions[id]?.from)
        let truth = try chainReceipt(c, id, logs: [try Self.drain(vault)])
        #expect(c.apply(try receipts.entry(truth, in: c)) == .mined(requestId: id, succeeded: true))
        #expect(c.state.alerts.alert(.receiptMismatch, request: id)?.basis == .reported)
        let before = c.state.digest
        #expect(c.apply(try check(c, id, read: truth, by: nodes[3])) == .receiptChecked(requestId: id, agrees: true, verdict: nil))
        #expect(c.state.digest != before && c.state.transactions[id]?.receiptVerdict == nil, "one node may be the lying one")
        #expect(c.apply(try check(c, id, read: truth, by: nodes[0])) == .receiptChecked(requestId: id, agrees: true, verdict: .confirmed))
        #expect(c.state.transactions[id]?.receiptVerdict == .confirmed)
        #expect(c.state.alerts.alert(.receiptMismatch, request: id)?.basis == .confirmed && !c.state.alerts.contains(.receiptDisputed, request: id))
        // A lying node disagreeing later raises its dispute, and the receipt stays confirmed.
        #expect(c.apply(try check(c, id, read: nil, by: nodes[1])) == .receiptChecked(requestId: id, agrees: false, verdict: nil))
        #expect(c.state.transactions[id]?.receiptVerdict == .confirmed && c.state.alerts.alert(.receiptDisputed, request: id)?.members == ["node-2"])
    }

    @Test func checksFromNonMembersForgedDuplicatedOrOfNoRecordedReceiptAreRefused() throws {
        var (c, id) = try receipts.signed()
        let truth = try chainReceipt(c, id, logs: [])
        // Before any receipt is recorded: nothing to check.
        let early = try ReceiptCheckEntry(of: truth, read: truth).entry(signedBy: nodes[0].identity, genesisDigest: c.state.genesisDigest)
        #expect(Cluster.reason(c.apply(early)).contains("has no recorded receipt to check"))
        #expect(c.apply(try receipts.entry(truth, in: c)) == .mined(requestId: id, succeeded: true))
        let outsider = NodeIdentity.generate(id: NodeID("node-9"))
        let good = try check(c, id, read: truth, by: nodes[0])
        // node-1's check, its authorization made to name node-2.
        let claimed = try MemberSignature.entry(kind: good.kind, payload: good.payload, signedBy: NodeIdentity.generate(id: NodeID("node-2")),
                                                genesisDigest: c.state.genesisDigest)
        let forged = try Entry(kind: good.kind, payload: good.payload, authorization: claimed.authorization)
        let otherCluster = try ReceiptCheckEntry(of: truth, read: truth).entry(signedBy: nodes[0].identity, genesisDigest: Array(repeating: 7, count: 32))
        let unknown = try ReceiptCheckEntry(requestId: String(repeating: "ab", count: 32), transactionHash: truth.transactionHash, digest: truth.digest)
            .entry(signedBy: nodes[0].identity, genesisDigest: c.state.genesisDigest)
        let otherHash = try ReceiptCheckEntry(requestId: id, transactionHash: Array(repeating: 0x42, count: 32), digest: truth.digest)
            .entry(signedBy: nodes[0].identity, genesisDigest: c.state.genesisDigest)
        let refusals: [(Entry, String)] = [
            (try check(c, id, read: truth, by: VaultCeremonyTests.Node(identity: outsider)), "node-9 is not a voting member"),
            (forged, "the signature of node-2 on this request.receipt-check does not verify"),
            (otherCluster, "the signature of node-1 on this request.receipt-check does not verify"),
            (unknown, "no transaction is planned"),
            (otherHash, "the recorded receipt is of 0x"),
        ]
        for (e, reason) in refusals {
            var other = c.state
            let outcome = c.apply(e)
            #expect(Cluster.reason(outcome).contains(reason), "\(Cluster.reason(outcome))")
            #expect(other.apply(e, blockTime: c.now) == outcome && other.digest == c.state.digest)
        }
        #expect(c.state.transactions[id]?.receiptChecks.isEmpty == true && c.state.alerts.all.isEmpty)
        #expect(c.apply(good) == .receiptChecked(requestId: id, agrees: true, verdict: nil))
        // The same node again, even saying something else: one check per member.
        #expect(Cluster.reason(c.apply(good)).contains("node-1 already checked the receipt"))
        #expect(Cluster.reason(c.apply(try check(c, id, read: nil, by: nodes[0]))).contains("node-1 already checked the receipt"))
        #expect(c.state.transactions[id]?.receiptChecks.count == 1 && c.state.alerts.all.isEmpty)
    }

    @Test func aMalformedOrUnsignedCheckNeverEntersABlock() throws {
        let (c, id) = try receipts.signed()
        let hash = try #require(c.state.transactions[id]?.transactionHash)
        func payload(found: Bool, digest: [UInt8], hashBytes: [UInt8] = hash) -> [UInt8] {
            var w = CanonicalWriter(tag: ReceiptCheckEntry.payloadTag)
            w.append(string: id)
            w.append(lengthPrefixed: hashBytes)
            w.append(found)
            w.append(lengthPrefixed: digest)
            return w.bytes
        }
        let signed = { (p: [UInt8]) throws -> Entry in
            try MemberSignature.entry(kind: ReceiptCheckEntry.kind, payload: p, signedBy: self.nodes[0].identity, genesisDigest: c.state.genesisDigest)
        }
        let cases: [(Entry, GovernanceErrorCode)] = [
            (try signed(payload(found: true, digest: [])), .malformed),
            (try signed(payload(found: false, digest: Array(repeating: 1, count: 32))), .malformed),
            (try signed(payload(found: true, digest: Array(repeating: 1, count: 31))), .malformed),
            (try signed(payload(found: true, digest: Array(repeating: 1, count: 32), hashBytes: [1, 2])), .malformed),
            (try signed(payload(found: true, digest: Array(repeating: 1, count: 32)) + [0]), .malformed),
            (try Entry(kind: ReceiptCheckEntry.kind, payload: payload(found: false, digest: []), authorization: []), .unsigned),
            (try Entry(kind: ReceiptCheckEntry.kind, payload: payload(found: false, digest: []), authorization: Array(repeating: 0, count: 600)), .oversize),
        ]
        for (entry, code) in cases {
            #expect(throws: GovernanceError(code, "")) { try ReplicatedState.signer(of: entry) }
        }
        #expect(try ReplicatedState.signer(of: try signed(payload(found: false, digest: []))) == EntrySigner(role: .member, id: "node-1"))
    }

    /// A cluster whose policy freezes signing on `classes`, with a signed transfer; its id.
    func freezing(_ classes: String) throws -> (Cluster, String) {
        var (c, id) = try receipts.signed()
        try c.govern(.changePolicy(yaml: Cluster.transactionPolicy(version: 3) + "\nalerts:\n  freeze_on: [\(classes)]\n"))
        return (c, id)
    }

    /// Records `recorded` as the executor's receipt of `id`, then has nodes 1 and 2 read `read`.
    func settle(_ c: inout Cluster, _ id: String, recorded: TransactionReceipt, read: TransactionReceipt?) throws {
        #expect(c.apply(try receipts.entry(recorded, in: c)) == .mined(requestId: id, succeeded: recorded.succeeded))
        for node in nodes.prefix(2) { c.apply(try check(c, id, read: read, by: node)) }
    }

    @Test func aConfirmedMismatchFreezesSigningInTheTransitionThatConfirmsIt() throws {
        var (c, id) = try freezing("receipt-mismatch")
        let vault = try #require(c.state.transactions[id]?.from)
        let truth = try chainReceipt(c, id, logs: [try Self.drain(vault)])
        #expect(c.apply(try receipts.entry(truth, in: c)) == .mined(requestId: id, succeeded: true))
        #expect(!c.state.frozen, "the executor's word alone never freezes")
        c.apply(try check(c, id, read: truth, by: nodes[0]))
        #expect(!c.state.frozen, "one node's word neither")
        #expect(c.apply(try check(c, id, read: truth, by: nodes[1])) == .receiptChecked(requestId: id, agrees: true, verdict: .confirmed))
        let alert = try #require(c.state.alerts.alert(.receiptMismatch, request: id))
        #expect(c.state.frozen && c.state.frozenBy == AutomaticFreeze(alert: alert.id, kind: .receiptMismatch, requestId: id, height: c.state.height, blockTime: c.now))
        // Frozen as by a security officer: the governed unfreeze lifts it and clears why.
        try c.govern(.unfreeze)
        #expect(!c.state.frozen && c.state.frozenBy == nil)
    }

    @Test func onlyWhatThePolicyNamesFreezes() throws {
        // A confirmed revert, when the policy freezes on mismatches only.
        var (c, id) = try freezing("receipt-mismatch, receipt-disputed")
        let reverted = try TransactionReceiptTests.receipt(id, hash: try #require(c.state.transactions[id]?.transactionHash), succeeded: false, logs: [])
        try settle(&c, id, recorded: reverted, read: reverted)
        #expect(c.state.transactions[id]?.receiptVerdict == .confirmed && c.state.alerts.alert(.minedReverted, request: id)?.basis == .confirmed)
        #expect(!c.state.frozen)
        var (r, rid) = try freezing("mined-reverted")
        let revertedToo = try TransactionReceiptTests.receipt(rid, hash: try #require(r.state.transactions[rid]?.transactionHash), succeeded: false, logs: [])
        try settle(&r, rid, recorded: revertedToo, read: revertedToo)
        #expect(r.state.frozen && r.state.frozenBy?.kind == .minedReverted)
        // A dispute: f+1 nodes read another receipt than the executor's.
        var (d, did) = try freezing("receipt-disputed")
        try settle(&d, did, recorded: try chainReceipt(d, did, logs: []), read: nil)
        #expect(d.state.transactions[did]?.receiptVerdict == .disputed && d.state.frozen && d.state.frozenBy?.kind == .receiptDisputed)
        // The same dispute where the policy names mismatches only: a dispute may hide one, so it
        // freezes too (review helper-105 H2) — a lying executor cannot pick the verdict that spares it.
        var (m, mid) = try freezing("receipt-mismatch")
        try settle(&m, mid, recorded: try chainReceipt(m, mid, logs: []), read: nil)
        #expect(m.state.transactions[mid]?.receiptVerdict == .disputed && m.state.frozen && m.state.frozenBy?.kind == .receiptDisputed)
    }

    /// Review helper-97 M5: an authority event from a contract that is neither the one called nor
    /// a registered token is its own code, and a confirmed receipt with only that never freezes.
    @Test func aForeignContractsAuthorityEventIsConfirmedButNeverFreezes() throws {
        var (c, id) = try freezing("receipt-mismatch")
        let foreign = try EVM.Address(hex: Cluster.stranger)
        let handOver = TransactionReceipt.Log(address: foreign, topics: [Keccak256.hash(Array("OwnershipTransferred(address,address)".utf8)),
                                                                         PlannedTransaction.topic(foreign), PlannedTransaction.topic(foreign)], data: [])
        let truth = try chainReceipt(c, id, logs: [handOver])
        try settle(&c, id, recorded: truth, read: truth)
        #expect(c.state.transactions[id]?.mismatches.map(\.code) == [.foreignAuthorityEvent])
        #expect(c.state.transactions[id]?.receiptVerdict == .confirmed && c.state.alerts.alert(.receiptMismatch, request: id)?.codes == [.foreignAuthorityEvent])
        #expect(!c.state.frozen && c.state.frozenBy == nil)
        // The same event from the registered token (USDC) is the vault's business: it freezes.
        var (t, tid) = try freezing("receipt-mismatch")
        let token = try EVM.Address(hex: Cluster.usdc)
        let grant = TransactionReceipt.Log(address: token, topics: [Keccak256.hash(Array("RoleGranted(bytes32,address,address)".utf8)), Array(repeating: 0, count: 32),
                                                                    PlannedTransaction.topic(foreign), PlannedTransaction.topic(foreign)], data: [])
        let tokenTruth = try chainReceipt(t, tid, logs: [grant])
        try settle(&t, tid, recorded: tokenTruth, read: tokenTruth)
        #expect(t.state.transactions[tid]?.mismatches.map(\.code) == [.unexpectedAuthorityChange] && t.state.frozen)
    }

    /// Review M2, as an attacker would try it: the recipient (a contract) emits an Approval with
    /// the vault as owner in the same transaction. Confirmed by the nodes, it is a foreign event
    /// and does not freeze; a Transfer out of the vault does, whoever emits it (helper-113 H1).
    @Test func aForeignApprovalNamingTheVaultIsConfirmedButNeverFreezes() throws {
        var (c, id) = try freezing("receipt-mismatch, mined-reverted")
        let vault = try #require(c.state.transactions[id]?.from)
        let recipient = try EVM.Address(hex: Cluster.kraken)
        let fake = TransactionReceipt.Log(address: recipient, topics: [Keccak256.hash(Array("Approval(address,address,uint256)".utf8)), PlannedTransaction.topic(vault),
                                                                       PlannedTransaction.topic(try EVM.Address(hex: Cluster.stranger))],
                                          data: PlannedTransaction.word(1_000_000))
        let truth = try chainReceipt(c, id, logs: [fake])
        try settle(&c, id, recorded: truth, read: truth)
        #expect(c.state.transactions[id]?.mismatches.map(\.code) == [.foreignEvent] && c.state.transactions[id]?.receiptVerdict == .confirmed)
        #expect(c.state.alerts.alert(.receiptMismatch, request: id)?.codes == [.foreignEvent] && !c.state.frozen)
        var (t, tid) = try freezing("receipt-mismatch")
        let drained = try chainReceipt(t, tid, logs: [try Self.drain(try #require(t.state.transactions[tid]?.from))])
        try settle(&t, tid, recorded: drained, read: drained)
        #expect(t.state.transactions[tid]?.mismatches.map(\.code) == [.unexpectedTransfer] && t.state.frozen)
    }

    @Test func signingStaysFrozenWhileAPersonsFreezeHolds() throws {
        var (c, id) = try freezing("receipt-mismatch")
        try c.govern(.freeze)
        let vault = try #require(c.state.transactions[id]?.from)
        let truth = try chainReceipt(c, id, logs: [try Self.drain(vault)])
        try settle(&c, id, recorded: truth, read: truth)
        // Review L3: a person froze it, and the confirmed mismatch still shows as a cause.
        let alert = try #require(c.state.alerts.alert(.receiptMismatch, request: id))
        #expect(c.state.frozen && c.state.frozenBy == AutomaticFreeze(alert: alert.id, kind: .receiptMismatch, requestId: id, height: c.state.height, blockTime: c.now))
        try c.govern(.unfreeze)
        #expect(!c.state.frozen && c.state.frozenBy == nil)
    }

    /// Adds members `range` (node-5 …) through governance; their identities.
    func add(_ range: ClosedRange<Int>, to c: inout Cluster) throws -> [VaultCeremonyTests.Node] {
        try MembershipChangeTests.identities(range).map { identity in
            try c.govern(try MembershipChangeTests.join(identity, in: c.state))
            return VaultCeremonyTests.Node(identity: identity)
        }
    }

    /// n = 7: f = 2, so three checks settle a receipt, two never do.
    @Test func sevenMembersSettleAReceiptOnThreeChecksNotTwo() throws {
        var (c, id) = try receipts.signed()
        let added = try add(5...7, to: &c)
        #expect(c.state.members.count == 7 && c.state.receiptCheckQuorum == 3)
        let truth = try chainReceipt(c, id, logs: [])
        #expect(c.apply(try receipts.entry(truth, in: c)) == .mined(requestId: id, succeeded: true))
        #expect(c.apply(try check(c, id, read: truth, by: added[0])) == .receiptChecked(requestId: id, agrees: true, verdict: nil))
        #expect(c.apply(try check(c, id, read: truth, by: nodes[0])) == .receiptChecked(requestId: id, agrees: true, verdict: nil))
        #expect(c.apply(try check(c, id, read: truth, by: added[2])) == .receiptChecked(requestId: id, agrees: true, verdict: .confirmed))
        // Disagreeing: two nodes that read none raise the alert, the third disputes.
        var (d, did) = try receipts.signed()
        let others = try add(5...7, to: &d)
        #expect(d.apply(try receipts.entry(try chainReceipt(d, did, logs: []), in: d)) == .mined(requestId: did, succeeded: true))
        for node in [nodes[1], others[1]] {
            #expect(d.apply(try check(d, did, read: nil, by: node)) == .receiptChecked(requestId: did, agrees: false, verdict: nil))
        }
        #expect(d.state.transactions[did]?.receiptVerdict == nil && d.state.alerts.alert(.receiptDisputed, request: did)?.members == ["node-2", "node-6"])
        #expect(d.apply(try check(d, did, read: nil, by: nodes[3])) == .receiptChecked(requestId: did, agrees: false, verdict: .disputed))
    }

    /// A member removed after its check: its check stays on the plan but no longer counts, so
    /// it cannot make up half of a smaller cluster's f+1 (review helper-105 M1).
    @Test func aRemovedMembersCheckNoLongerCounts() throws {
        var (c, id) = try receipts.signed()
        let node5 = try add(5...5, to: &c)[0]
        #expect(c.state.receiptCheckQuorum == 2)
        #expect(c.apply(try receipts.entry(try chainReceipt(c, id, logs: []), in: c)) == .mined(requestId: id, succeeded: true))
        #expect(c.apply(try check(c, id, read: nil, by: node5)) == .receiptChecked(requestId: id, agrees: false, verdict: nil))
        try c.govern(.removeMember(id: "node-5"))
        #expect(c.state.members.count == 4 && c.state.receiptCheckQuorum == 2)
        // One current member disagreeing besides the removed one: not f+1 of the current members.
        #expect(c.apply(try check(c, id, read: nil, by: nodes[0])) == .receiptChecked(requestId: id, agrees: false, verdict: nil))
        #expect(c.state.transactions[id]?.receiptVerdict == nil && c.state.transactions[id]?.receiptChecks.map(\.member) == ["node-5", "node-1"])
        // And the removed member may not check again.
        #expect(Cluster.reason(c.apply(try check(c, id, read: nil, by: node5))).contains("node-5 is not a voting member"))
        #expect(c.apply(try check(c, id, read: nil, by: nodes[1])) == .receiptChecked(requestId: id, agrees: false, verdict: .disputed))
    }

    /// What a node's `ReceiptChecker` is given: the unsettled receipts it has not checked, from
    /// an index of them, with the vault's environment; nothing for a non-member.
    @Test func eachMemberIsGivenTheUnsettledReceiptsItHasNotChecked() throws {
        var (c, id) = try receipts.signed()
        #expect(c.state.receiptsToCheck(by: "node-1").isEmpty && c.state.transactions.awaitingReceiptChecks.isEmpty, "no receipt yet")
        let truth = try chainReceipt(c, id, logs: [])
        c.apply(try receipts.entry(truth, in: c))
        let plan = try #require(c.state.transactions[id])
        let due = ReceiptToCheck(requestId: id, chain: "ethereum", chainId: 1, environment: try #require(c.state.vaults[plan.vault]).environment,
                                 recorded: truth)
        #expect(c.state.receiptsToCheck(by: "node-1") == [due] && c.state.receiptsToCheck(by: "node-2") == [due])
        #expect(c.state.receiptsToCheck(by: "node-9").isEmpty, "not a member")
        c.apply(try check(c, id, read: truth, by: nodes[0]))
        #expect(c.state.receiptsToCheck(by: "node-1").isEmpty && c.state.receiptsToCheck(by: "node-2") == [due])
        c.apply(try check(c, id, read: truth, by: nodes[1]))
        #expect(c.state.transactions[id]?.receiptVerdict == .confirmed)
        #expect(c.state.receiptsToCheck(by: "node-3").isEmpty && c.state.transactions.awaitingReceiptChecks.isEmpty, "settled")
    }
}
