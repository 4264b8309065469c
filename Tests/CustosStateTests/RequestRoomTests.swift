import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// Requests have their own room: deciding one reads the governance room (policy in force, bots,
/// people, freeze) and changes nothing there but the counter of the credential a person's
/// assertion used.
@Suite struct RequestRoomTests {
    @Test func aRequestChangesOnlyTheRequestsRoom() throws {
        var c = try StateDigestTests.cluster()
        let bot = try StateDigestTests.botKey()
        try c.registerBot("risk-bot", key: bot.publicKey)
        let before = c.state
        let decided = try #require(Cluster.decided(try c.submit(c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: bot))))
        #expect(c.state.requestBook.order == [decided.id])
        #expect(c.state.requestBook.replayCache != before.requestBook.replayCache)
        #expect(c.state.users == before.users)
        #expect(c.state.bots == before.bots)
        #expect(c.state.operations == before.operations)
        #expect(c.state.policyYAML == before.policyYAML && c.state.policyVersion == before.policyVersion)
        #expect(c.state.frozen == before.frozen)

        let person = RequestEntry.personEnvelope(
            body: Cluster.transfer(by: "heidi", amount: "1"), cluster: c.state.genesisDigest, user: "heidi", timestamp: Int64(c.now), nonce: c.nonce())
        let counter = try #require(c.state.users["heidi"]?.credentials.first?.signCount)
        #expect(Cluster.decided(c.apply(try RequestEntry.submit(person, assertion: c.assert("heidi", RequestEntry.personChallenge(person))))) != nil)
        #expect(c.state.users["heidi"]?.credentials.first?.signCount == counter + 1)
        var others = c.state.users
        others["heidi"] = nil
        var othersBefore = before.users
        othersBefore["heidi"] = nil
        #expect(others == othersBefore)
        #expect(c.state.requestBook.order.count == 2)
    }
}
