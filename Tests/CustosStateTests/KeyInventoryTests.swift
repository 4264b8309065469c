import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// The key inventory derived from the replicated state, and the policy's key rotation schedule
/// enforced by every node in block time: a bot whose key is past its grace period is refused until
/// `rotate-bot-key` gives it a new key.
@Suite struct KeyInventoryTests {
    static let day: UInt64 = 86_400_000

    /// The test cluster under a policy that makes the risk bot's key `development` (rotation every
    /// 30 days, 7 of grace) and refuses bots whose key is past its grace period; the bot registered.
    static func cluster() throws -> (Cluster, BotSigningKey) {
        var c = try Cluster()
        let next = Cluster.policy(version: 2).replacing("rules:\n", with: """
            keys:
              rotation:
                development: {every: 30d, grace: 7d}
              classes:
                bots: {risk-bot: development}
            rules:
              - name: bot-key-past-grace
                match: {initiator: {kind: bot}}
                when: "request.initiator_key_past_grace"
                outcome: deny

            """)
        let (change, _) = try c.propose(.changePolicy(yaml: next), by: "frank")
        try c.approve(change, by: "grace")
        try c.approve(change, by: "erin")
        #expect(c.state.policyVersion == 2)
        let key = BotSigningKey(ed25519: .init())
        try c.registerBot("risk-bot", key: key.publicKey)
        return (c, key)
    }

    static func bot(_ inventory: KeyInventory) throws -> KeyInventory.Key {
        try #require(inventory.keys.first { $0.kind == .bot && $0.owner == "risk-bot" })
    }

    @Test func theInventoryListsBotsAndCredentialsWithTheirTimes() throws {
        let (c, _) = try Self.cluster()
        let inventory = c.state.inventory
        #expect(inventory.time == c.state.time)
        let bot = try Self.bot(inventory)
        let registered = try #require(c.state.bots["risk-bot"]).registeredAt
        #expect(bot.createdAt == registered)
        #expect(bot.lastRotatedAt == nil)
        #expect(bot.keyClass == .development)
        #expect(bot.rotationDueAt == registered + 30 * Self.day)
        #expect(bot.rotation == .current)
        #expect(bot.algorithm == "Ed25519")
        #expect(bot.roles == ["trading-bot"])
        #expect(inventory.overdue.isEmpty)
        // Every person's genesis credential, with its model and last use: heidi has not signed anything.
        let credentials = inventory.keys.filter { $0.kind == .credential }
        #expect(credentials.map(\.owner) == ["erin", "frank", "grace", "heidi"])
        for credential in credentials {
            #expect(credential.createdAt == nil)
            #expect(credential.algorithm == "ES256")
            #expect(credential.details["model"] == "Custos development software credential")
            #expect(credential.rotation == nil)
        }
        #expect(credentials.first { $0.owner == "frank" }?.lastUsedAt != nil)
        #expect(credentials.first { $0.owner == "heidi" }?.lastUsedAt == nil)
    }

    @Test func aCredentialRegisteredLaterHasItsRegistrationAndLastUseInTheDigest() throws {
        var c = try Cluster()
        try c.addPerson("ivan", roles: ["admin"])
        let registered = c.state.time
        let ivan = try #require(c.state.inventory.keys.first { $0.kind == .credential && $0.owner == "ivan" })
        #expect(ivan.createdAt == registered)
        #expect(ivan.lastUsedAt == nil)
        let before = c.state.digest
        let (freeze, _) = try c.propose(.freeze, by: "heidi")
        #expect(c.status(freeze) == .executed)
        #expect(c.state.inventory.keys.first { $0.kind == .credential && $0.owner == "heidi" }?.lastUsedAt == c.state.time)
        #expect(c.state.digest != before)
    }

    @Test func aBotPastItsGracePeriodIsRefusedUntilItsKeyIsRotated() throws {
        var (c, key) = try Self.cluster()
        // 31 days on: overdue, in grace, still allowed.
        c.now += 31 * Self.day
        let early = try #require(Cluster.decided(try c.submit(c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: key))))
        #expect(early.outcome == .allow)
        #expect(try Self.bot(c.state.inventory).rotation == .overdue)
        #expect(c.state.inventory.overdue.map(\.owner) == ["risk-bot"])
        #expect(c.state.inventory.pastGrace.isEmpty)
        // 38 days on: past its grace period, refused by every node with the rule that says why.
        c.now += 7 * Self.day
        let late = try #require(Cluster.decided(try c.submit(c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: key))))
        #expect(late.outcome == .deny)
        #expect(c.state.requestBook.requests[late.id]?.decision.reason == .deniedByRule("bot-key-past-grace"))
        #expect(try Self.bot(c.state.inventory).rotation == .pastGrace)
        #expect(c.state.inventory.pastGrace.map(\.owner) == ["risk-bot"])
        // The quorum rotates the key: the schedule starts again and the new key signs.
        let fresh = BotSigningKey(ed25519: .init())
        let (rotate, _) = try c.propose(.rotateBotKey(id: "risk-bot", key: fresh.publicKey), by: "frank")
        try c.approve(rotate, by: "grace")
        try c.approve(rotate, by: "erin")
        #expect(c.status(rotate) == .executed)
        let rotated = c.state.time
        let bot = try Self.bot(c.state.inventory)
        #expect(bot.lastRotatedAt == rotated)
        #expect(bot.rotationDueAt == rotated + 30 * Self.day)
        #expect(bot.rotation == .current)
        let after = try #require(Cluster.decided(try c.submit(c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: fresh))))
        #expect(after.outcome == .allow)
        let old = try c.submit(c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: key))
        #expect(Cluster.code(old) != nil)
    }

    @Test func aStateWithoutTheKeysSectionUsesTheStandardSchedule() throws {
        var c = try Cluster()
        try c.registerBot("risk-bot", key: BotSigningKey(ed25519: .init()).publicKey)
        let bot = try Self.bot(c.state.inventory)
        #expect(bot.keyClass == .operational)
        #expect(bot.rotationDueAt == bot.createdAt.map { $0 + 90 * Self.day })
    }
}
