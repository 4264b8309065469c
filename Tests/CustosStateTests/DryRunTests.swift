import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
@testable import CustosState
import Testing

/// The dry run (`ReplicatedState.dryRun`): a request body decided as every node would decide it
/// in the next block — through the same view and policy, against the same windows — with nothing
/// recorded; and refused, with the same reason, where every node would refuse the submission.
@Suite struct DryRunTests {
    @Test func aDryRunDecidesAsTheSubmissionRightAfterIt() throws {
        var (c, key) = try WindowRoomTests.cluster()
        let body = Cluster.transfer(by: "risk-bot")
        for expected in [PolicyDecision.Outcome.allow, .allow, .deny] {
            let digest = c.state.digest
            let run = try c.state.dryRun(body, blockTime: c.now + 1000)
            #expect(c.state.digest == digest, "a dry run changes nothing")
            #expect(run.request.initiator == "risk-bot" && run.initiatorKind == .bot && run.blockTime == c.now + 1000)
            let (id, outcome) = try #require(Cluster.decided(try c.submit(c.signed(body, keyId: "risk-bot", key: key))))
            #expect(outcome == expected)
            let recorded = try #require(c.state.requestBook.requests[id])
            #expect(run.decision == recorded.decision, "the dry run read the windows the submission met")
            #expect(run.request == recorded.request)
            #expect(run.policyVersion == recorded.policyVersion)
        }
        // The third was over the hourly count: the dry run said so, with the window's words.
        let denied = try c.state.dryRun(body, blockTime: c.now + 1000)
        #expect(denied.decision.windows.map(\.text) == ["limit bot-hourly: 1h for initiator risk-bot: 3 of 2 requests (exceeded)"])
        // An hour on, the windows have moved on for the dry run as for the next block.
        #expect(try c.state.dryRun(body, blockTime: c.now + 3_600_000).decision.outcome == .allow)
    }

    @Test func aTransactionBodyIsResolvedAsEveryNodeResolvesIt() throws {
        let t = TransactionRequestTests()
        var c = try t.cluster()
        let body = Cluster.evmTransfer(asset: "USDC", amount: "7.5")
        let run = try c.state.dryRun(body, blockTime: c.now + 1000)
        let (id, outcome) = try #require(Cluster.decided(try c.submit(c.signed(body, keyId: "risk-bot", key: t.bot))))
        #expect(outcome == .allow && run.decision.outcome == .allow)
        #expect(run.decision == c.state.requestBook.requests[id]?.decision)
        #expect(run.request == c.state.requestBook.requests[id]?.request, "the same view: vault address, token, amount in units")
        // What a node cannot resolve, the dry run refuses with the same reason.
        for body in [Cluster.evmTransfer(asset: "DAI"), Cluster.evmTransfer(from: "trading-7")] {
            let submitted = try c.submit(c.signed(body, keyId: "risk-bot", key: t.bot))
            #expect(throws: GovernanceError.self) { try c.state.dryRun(body, blockTime: c.now + 1000) }
            do { _ = try c.state.dryRun(body, blockTime: c.now + 1000) } catch {
                #expect(error.code == Cluster.code(submitted) && error.reason == Cluster.reason(submitted))
            }
        }
    }

    @Test func aDryRunForNobodyOrForARemovedBotIsRefusedAndRecordsNothing() throws {
        var (c, _) = try WindowRoomTests.cluster()
        let refusals = c.state.refusals.count
        let cases: [(JSONValue, GovernanceError.Code, String)] = [
            (Cluster.transfer(by: "mallory"), .unknownUser, "initiator \"mallory\" is neither a person nor a bot"),
            (.object([("kind", .string("transfer"))]), .invalidRequest, "names no initiator"),
            (.array([]), .invalidRequest, "names no initiator"),
            (.object([("kind", .string("teleport")), ("initiator", .string("erin"))]), .invalidRequest, "does not read as a request"),
        ]
        for (body, code, reason) in cases {
            do {
                _ = try c.state.dryRun(body, blockTime: c.now + 1000)
                Issue.record("\(reason): decided")
            } catch {
                #expect(error.code == code && error.reason.contains(reason), "\(error.reason)")
            }
        }
        try c.govern(.removeBot(id: "risk-bot"))
        #expect(throws: GovernanceError.self) { try c.state.dryRun(Cluster.transfer(by: "risk-bot"), blockTime: c.now + 1000) }
        #expect(c.state.refusals.count == refusals)
    }
}
