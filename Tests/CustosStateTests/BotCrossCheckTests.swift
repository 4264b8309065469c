import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import CustosTestSupport
import Foundation
import Testing

/// The example policy's risk bot submitting through the governed state, and envelopes signed by
/// an independent implementation (Python: `rfc8785` and `cryptography`) accepted by it.
@Suite struct BotCrossCheckTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func exampleRequest(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent("examples/policies/requests/\(name)"), encoding: .utf8)
    }

    /// The risk bot's request as the example ships it, with some fields replaced.
    static func riskBotBody(_ replacing: [String: String] = [:]) throws -> JSONValue {
        let parsed = try JSONParser().parse(Array(try exampleRequest("risk-bot-kraken.json").utf8))
        guard case .object(let members) = parsed else { throw TestEnvironmentError("the example request is not an object") }
        return .object(members.map { m in (m.key, replacing[m.key].map(JSONValue.string) ?? m.value) })
    }

    @Test func theExamplePolicysRiskBotIsDecidedAsThePolicySays() throws {
        var c = try ExamplePolicyTests.cluster()
        let key = BotSigningKey(p256: .init())
        try c.registerBot("risk-bot", key: key.publicKey, roles: ["risk-bot"])

        // The shipped request, decided by the policy in force at the block's time. The governed
        // state holds no prices yet, so every USD clause fails closed: the allow rules that need
        // a USD amount are skipped and the USD circuit breakers deny.
        let shipped = c.signed(try Self.riskBotBody(), keyId: "risk-bot", key: key)
        let decided = try #require(Cluster.decided(try c.submit(shipped)))
        let record = try #require(c.state.requestBook.requests[decided.id])
        // The empty snapshot says why there is no price as the state does: no price from a price
        // bot of the risk bot's (development) environment.
        var empty = StateSnapshot(time: Int64(c.now / 1000))
        empty.priceProblems["USDC"] = "no USD price for USDC in the state from a development price bot"
        let direct = c.state.policy.evaluate(try PolicyRequest.decode(json: try Self.exampleRequest("risk-bot-kraken.json")), in: empty)
        #expect(record.decision == direct)
        #expect(record.outcome == .deny)
        guard case .deniedByRule(let rule) = record.decision.reason else { Issue.record("\(record.decision.reason)"); return }
        #expect(record.decision.applied.first { $0.name == rule }?.failedClosed != nil)
        #expect(record.decision.skippedAllows.contains { $0.name == "allow-risk-bot-exchange-topups" })

        // Rules that need no price decide outright.
        let unknown = c.signed(
            try Self.riskBotBody(["destination": "0x9999999999999999999999999999999999999999"]), keyId: "risk-bot", key: key)
        let unknownRecord = try #require(Cluster.decided(try c.submit(unknown)).flatMap { c.state.requestBook.requests[$0.id] })
        #expect(unknownRecord.decision.reason == .deniedByRule("deny-bots-to-unknown"))
        let fromCold = c.signed(
            try Self.riskBotBody(["vault": "cold-storage", "destination": "0x0f17c8226aa33959cf059efac53989db221030b9"]),
            keyId: "risk-bot", key: key)
        let coldRecord = try #require(Cluster.decided(try c.submit(fromCold)).flatMap { c.state.requestBook.requests[$0.id] })
        #expect(coldRecord.decision.reason == .deniedByRule("deny-bots-from-cold"))

        // Another bot cannot speak for the risk bot, even a registered one.
        let gas = BotSigningKey(ed25519: .init())
        try c.registerBot("gas-bot", key: gas.publicKey, roles: ["gas-bot"])
        let impersonation = c.signed(try Self.riskBotBody(), keyId: "gas-bot", key: gas)
        #expect(Cluster.code(try c.submit(impersonation)) == .invalidRequest)
        let stolenId = c.signed(try Self.riskBotBody(), keyId: "risk-bot", key: gas)
        #expect(Cluster.requestSigningCode(try c.submit(stolenId)) == .badSignature)
    }

    struct PeerRequest: Codable {
        struct Sign: Codable { let alg: String; let body: String; let cluster: String; let keyId: String; let timestamp: Int64; let nonce: String }
        struct Verify: Codable { let alg: String; let public_key: String; let envelope: String }
        let sign: [Sign]
        let verify: [Verify]
    }

    struct PeerResponse: Codable {
        struct Signed: Codable { let public_key: String; let envelope: String }
        let sign: [Signed]
        let verify: [Bool]
    }

    @Test func envelopesSignedByAnIndependentImplementationAreAccepted() async throws {
        var c = try Cluster()
        let body = #"{"kind": "transfer", "initiator": "BOT", "vault": "hot", "chain": "ethereum", "asset": "ETH", "amount": "2.5", "destination": "0x1111111111111111111111111111111111111111", "memo": "€ top-up \u0001"}"#
        let bots = [("py-ed-bot", "Ed25519", BotPublicKey.Algorithm.ed25519), ("py-p256-bot", "ES256", .p256)]
        // Registering the bots below takes a few blocks of a second each, well inside the window.
        let timestamp = Int64(c.now) + 1_000
        let swiftKey = BotSigningKey(ed25519: .init())
        let swiftSigned = c.signed(
            try JSONParser().parse(Array(body.replacingOccurrences(of: "BOT", with: "swift-bot").utf8)), keyId: "swift-bot",
            key: swiftKey)
        let answer = try await PythonPeer.call(
            "request_signing_peer.py",
            PeerRequest(
                sign: bots.enumerated().map { i, b in
                    .init(alg: b.1, body: body.replacingOccurrences(of: "BOT", with: b.0), cluster: c.state.genesisDigest.hexString,
                          keyId: b.0, timestamp: timestamp,
                          nonce: "cHl0aG9uLWJvdC1ub25jZS0w\(i)")
                },
                verify: [.init(alg: "Ed25519", public_key: swiftKey.publicKey.rawRepresentation.hexString,
                               envelope: String(decoding: swiftSigned.jsonBytes, as: UTF8.self))]),
            as: PeerResponse.self)
        // Python verifies the envelope Swift signed.
        #expect(answer.verify == [true])
        for (signed, bot) in zip(answer.sign, bots) {
            let key = try BotPublicKey(algorithm: bot.2, rawRepresentation: try [UInt8](hex: signed.public_key))
            try c.registerBot(bot.0, key: key)
        }
        for (signed, bot) in zip(answer.sign, bots) {
            // Submitted byte for byte as Python wrote it: indented, members in another order.
            #expect(!signed.envelope.hasPrefix("{\"body\""))
            let outcome = c.apply(try RequestEntry.submit(envelope: Array(signed.envelope.utf8)))
            let decided = try #require(Cluster.decided(outcome), "\(bot.0): \(outcome)")
            #expect(decided.outcome == .allow)
            #expect(c.state.requestBook.requests[decided.id]?.request.memo == "€ top-up \u{1}")
        }
    }
}
