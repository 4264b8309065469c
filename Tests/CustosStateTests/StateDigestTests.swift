import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// The state digest is stored by nodes and compared across them: its bytes must not change when
/// the code that computes it is reorganised. A small state built from fixed keys is pinned to the
/// hex value computed before the state was split into rooms, recomputed once when the state began
/// to record key times (a bot's registration and key rotation, a credential's last use: issue 14),
/// which this state holds.
@Suite struct StateDigestTests {
    static func fixedKey(_ label: String) -> [UInt8] { Hashes.sha256(Array("custos digest pin \(label)".utf8)) }

    /// The test cluster with credentials from fixed keys.
    static func cluster() throws -> Cluster {
        try Cluster { id in
            SoftwareAuthenticator(
                privateKey: try P256.Signing.PrivateKey(rawRepresentation: fixedKey(id)), credentialId: fixedKey("credential \(id)"))
        }
    }

    static func botKey() throws -> BotSigningKey {
        BotSigningKey(ed25519: try Curve25519.Signing.PrivateKey(rawRepresentation: fixedKey("risk-bot")))
    }

    static func fixedState() throws -> ReplicatedState {
        var c = try cluster()
        let bot = try botKey()
        try c.registerBot("risk-bot", key: bot.publicKey)
        // Allowed, denied (over the limit), refused (an unknown body field), and a person's request.
        try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "5"), keyId: "risk-bot", key: bot))
        try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "20"), keyId: "risk-bot", key: bot))
        try c.submit(c.signed(Cluster.transfer(by: "risk-bot", extra: [("priority", .string("high"))]), keyId: "risk-bot", key: bot))
        let person = RequestEntry.personEnvelope(
            body: Cluster.transfer(by: "heidi", amount: "1"), user: "heidi", timestamp: Int64(c.now), nonce: c.nonce())
        c.apply(try RequestEntry.submit(person, assertion: c.assert("heidi", RequestEntry.personChallenge(person))))
        try c.propose(.freeze, by: "heidi")
        return c.state
    }

    @Test func digestOfAFixedStateIsPinned() throws {
        let state = try Self.fixedState()
        #expect(state.requestBook.order.count == 3)
        #expect(state.refusals.count == 1)
        #expect(state.frozen)
        #expect(state.digest.hexString == "aa1d09cbd6760e2c7ca77be4fc3bdc66302a711858c74c4c8b749fa953f35a9e")
    }
}
