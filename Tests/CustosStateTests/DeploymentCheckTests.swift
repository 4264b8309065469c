import BigInt
import CustosChains
import CustosCore
import CustosCrypto
import CustosLedger
@testable import CustosState
import Testing

/// Nodes verify a mined deployment themselves (issue #15 item 2): once f+1 members confirmed its
/// receipt, each member reads the code at the address every node computed and the expected view
/// calls at the receipt's block from its own endpoint and commits a signed
/// `request.deployment-check`; f+1 readings of the reviewed code and state make it `verified`,
/// f+1 of anything else `mismatch` with a `deployment-mismatch` alert on every node, which
/// `alerts.freeze_on` may name. Four members: f = 1, so two.
@Suite struct DeploymentCheckTests {
    let receipts = TransactionReceiptTests()
    var nodes: [VaultCeremonyTests.Node] { receipts.ecdsa.ceremony.nodes }
    /// The runtime code the reviewed build deploys, as `DeploymentRequestTests.deploy()` names its hash.
    static let owner = try! [UInt8](hex: DeploymentRequestTests.ownerWord)

    /// A signed deployment whose receipt (block 107) f+1 members confirmed, under `policy`.
    func mined(policy: String = DeploymentRequestTests.deployPolicy) throws -> (Cluster, String) {
        var (c, id) = try receipts.signed(DeploymentRequestTests.deploy(), policy: policy, gasLimit: 180_000)
        let truth = try TransactionReceiptTests.receipt(id, hash: try #require(c.state.transactions[id]?.transactionHash), gasUsed: 120_000, logs: [])
        #expect(c.apply(try receipts.entry(truth, in: c)) == .mined(requestId: id, succeeded: true))
        #expect(c.state.transactions[id]?.mismatches == [], "a deployment's receipt is not an unverifiable call: its code is read instead")
        #expect(c.state.deploymentsToCheck(by: "node-1").isEmpty, "not before the members confirmed the receipt")
        for node in nodes.prefix(2) {
            c.apply(try ReceiptCheckEntry(of: truth, read: truth).entry(signedBy: node.identity, genesisDigest: c.state.genesisDigest))
        }
        #expect(c.state.transactions[id]?.receiptVerdict == .confirmed)
        return (c, id)
    }

    /// `node`'s reading: the code whose Keccak-256 is `codeHash` (the reviewed one unless given) and `answers`.
    func check(_ c: Cluster, _ id: String, by node: VaultCeremonyTests.Node, codeHash: [UInt8]? = nil, answers: [[UInt8]?] = [owner],
               block: UInt64 = 107) throws -> Entry {
        try DeploymentCheckEntry(requestId: id, blockNumber: block, codeHash: codeHash ?? Array(repeating: 0xab, count: 32),
                                 results: answers.map { $0.map(Keccak256.hash) })
            .entry(signedBy: node.identity, genesisDigest: c.state.genesisDigest)
    }

    @Test func fPlusOneReadingsOfTheReviewedCodeAndOwnerVerifyIt() throws {
        var (c, id) = try mined()
        let plan = try #require(c.state.transactions[id])
        let due = c.state.deploymentsToCheck(by: "node-1")
        #expect(due.map(\.requestId) == [id] && due.first?.contract == plan.contractAddress
                && due.first?.transactionHash == plan.receipt?.transactionHash)
        #expect(due.first?.calls == [EVM.ABI.selector("owner()")])
        var other = c.state
        let first = try check(c, id, by: nodes[0])
        #expect(c.apply(first) == .deploymentChecked(requestId: id, matches: true, verdict: nil))
        #expect(other.apply(first, blockTime: c.now) == .deploymentChecked(requestId: id, matches: true, verdict: nil) && other.digest == c.state.digest)
        #expect(c.state.deploymentsToCheck(by: "node-1").isEmpty && c.state.deploymentsToCheck(by: "node-2").count == 1)
        #expect(c.apply(try check(c, id, by: nodes[1])) == .deploymentChecked(requestId: id, matches: true, verdict: .verified))
        #expect(c.state.transactions[id]?.deploymentVerdict == .verified && c.state.alerts.all.isEmpty)
        #expect(c.state.deploymentsToCheck(by: "node-3").isEmpty, "settled: nothing more to read")
        // A lying node reading other code afterwards changes nothing.
        #expect(c.apply(try check(c, id, by: nodes[2], codeHash: Array(repeating: 1, count: 32))) == .deploymentChecked(requestId: id, matches: false, verdict: nil))
        #expect(c.state.transactions[id]?.deploymentVerdict == .verified && c.state.alerts.all.isEmpty)
    }

    @Test func otherCodeOrAnotherOwnerIsCaughtOnEveryNodeAndFreezesWhenThePolicySays() throws {
        var (c, id) = try mined(policy: DeploymentRequestTests.deployPolicy + "\nalerts:\n  freeze_on: [deployment-mismatch]\n")
        var other = c.state
        // A tampered build: other runtime code, and an owner() answering someone else.
        let tampered = try check(c, id, by: nodes[0], codeHash: Array(repeating: 0xcd, count: 32), answers: [Array(repeating: 0x99, count: 32)])
        #expect(c.apply(tampered) == .deploymentChecked(requestId: id, matches: false, verdict: nil))
        #expect(c.state.alerts.all.isEmpty && !c.state.frozen, "one node may be the lying one")
        let second = try check(c, id, by: nodes[1], codeHash: Array(repeating: 0xcd, count: 32), answers: [nil])
        #expect(c.apply(second) == .deploymentChecked(requestId: id, matches: false, verdict: .mismatch))
        for entry in [tampered, second] { other.apply(entry, blockTime: c.now) }
        #expect(other.digest == c.state.digest, "every node raises the same alert")
        let alert = try #require(c.state.alerts.alert(.deploymentMismatch, request: id))
        #expect(alert.codes == [.runtimeCodeMismatch, .initialStateMismatch] && alert.members == ["node-1", "node-2"] && alert.basis == .checked)
        #expect(c.state.transactions[id]?.deploymentVerdict == .mismatch)
        #expect(c.state.frozen && c.state.frozenBy?.kind == .deploymentMismatch && c.state.frozenBy?.alert == alert.id)
        let texts = c.state.transactions[id]?.deploymentChecks[1].differences.map(\.text) ?? []
        #expect(texts.count == 2 && texts[0].contains("not the reviewed runtime code hash 0x" + String(repeating: "ab", count: 32)) && texts[1].contains("owner() at"))
    }

    @Test func checksOfNoConfirmedDeploymentDuplicatedOrMalformedAreRefused() throws {
        // A transfer is no deployment.
        var (transfer, transferId) = try receipts.signed()
        let hash = try #require(transfer.state.transactions[transferId]?.transactionHash)
        transfer.apply(try receipts.entry(try TransactionReceiptTests.receipt(transferId, hash: hash, logs: []), in: transfer))
        #expect(Cluster.code(transfer.apply(try check(transfer, transferId, by: nodes[0]))) == .unknownRequest)
        // A deployment whose receipt is only the executor's word is not read yet.
        var (c, id) = try receipts.signed(DeploymentRequestTests.deploy(), policy: DeploymentRequestTests.deployPolicy, gasLimit: 180_000)
        #expect(Cluster.reason(c.apply(try check(c, id, by: nodes[0]))).contains("no receipt the members confirmed"))
        (c, id) = try mined()
        let refusals: [(Entry, String)] = [
            (try check(c, id, by: nodes[0], answers: []), "it carries 0 answers; the request expects 1 calls"),
        ]
        for (entry, reason) in refusals {
            #expect(Cluster.reason(c.apply(entry)).contains(reason), "\(Cluster.reason(c.apply(entry)))")
        }
        c.apply(try check(c, id, by: nodes[0]))
        #expect(Cluster.reason(c.apply(try check(c, id, by: nodes[0]))).contains("node-1 already checked the deployment"))
        // Signed for another cluster, or by no member: refused before any reading counts.
        let foreign = try DeploymentCheckEntry(requestId: id, blockNumber: 107, codeHash: Array(repeating: 0xab, count: 32), results: [nil])
            .entry(signedBy: nodes[1].identity, genesisDigest: Array(repeating: 7, count: 32))
        #expect(Cluster.code(c.apply(foreign)) != nil && c.state.transactions[id]?.deploymentChecks.count == 1)
        // Malformed payloads never enter a block.
        func payload(_ write: (inout CanonicalWriter) -> Void) throws -> Entry {
            var w = CanonicalWriter(tag: DeploymentCheckEntry.payloadTag)
            w.append(string: id)
            w.append(UInt64(107))
            write(&w)
            return try Entry(kind: DeploymentCheckEntry.kind, payload: w.bytes, authorization: [])
        }
        let malformed: [Entry] = [
            try payload { w in w.append(lengthPrefixed: Array(repeating: 1, count: 31)); w.append(UInt32(0)) },
            try payload { w in w.append(lengthPrefixed: Array(repeating: 1, count: 32)); w.append(UInt32(9)) },
            try payload { w in w.append(lengthPrefixed: Array(repeating: 1, count: 32)); w.append(UInt32(1)); w.append(false); w.append(lengthPrefixed: [1]) },
            try payload { w in w.append(lengthPrefixed: Array(repeating: 1, count: 32)); w.append(UInt32(1)); w.append(true); w.append(lengthPrefixed: [1, 2]) },
            try payload { w in w.append(lengthPrefixed: Array(repeating: 1, count: 32)); w.append(UInt32(0)); w.append(true) },
        ]
        for entry in malformed {
            let error = #expect(throws: GovernanceError.self) { try DeploymentCheckEntry(entry) }
            #expect(error?.code == .malformed)
        }
        let wellFormed = try payload { w in w.append(lengthPrefixed: Array(repeating: 1, count: 32)); w.append(UInt32(1)); w.append(false); w.append(lengthPrefixed: []) }
        #expect(try DeploymentCheckEntry(wellFormed).results == [nil])
    }
}
