import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// Bots in the governed state: added, removed and re-keyed only through the admin quorum, with
/// canonical encodings that round-trip and refuse invalid keys.
@Suite struct BotRegistryTests {
    @Test func addingABotNeedsTheQuorum() throws {
        var c = try Cluster()
        let key = BotSigningKey(ed25519: .init())
        let (p, outcome) = try c.propose(.addBot(id: "risk-bot", key: key.publicKey, roles: ["trading-bot"]), by: "frank")
        #expect(outcome == .applied(operationId: p.id, status: .proposed))
        // One admin proposing and nobody approving: nothing. One approval is not the quorum of two.
        try c.approve(p, by: "grace")
        #expect(c.status(p) == .proposed)
        #expect(c.state.bots["risk-bot"] == nil)
        // Meanwhile the bot's requests are refused: it is not registered.
        let early = c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: key)
        #expect(Cluster.code(try c.submit(early)) == .unknownBot)
        // The proposer cannot approve their own operation.
        #expect(Cluster.code(try c.approve(p, by: "frank")) == .initiatorCannotApprove)
        try c.approve(p, by: "erin")
        #expect(c.status(p) == .executed)
        #expect(c.state.bots["risk-bot"]?.key == key.publicKey)
        #expect(c.state.bots["risk-bot"]?.roles == ["trading-bot"])
        #expect(c.state.bots["risk-bot"]?.active == true)
        let accepted = c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: key)
        #expect(Cluster.decided(try c.submit(accepted))?.outcome == .allow)
    }

    @Test func aSecurityOfficerAloneCannotAddABotEither() throws {
        var c = try Cluster()
        let key = BotSigningKey(p256: .init())
        let (p, _) = try c.propose(.addBot(id: "gas-bot", key: key.publicKey, roles: []), by: "heidi")
        try c.approve(p, by: "erin")
        #expect(c.status(p) == .proposed)
        try c.approve(p, by: "frank")
        #expect(c.status(p) == .executed)
        #expect(c.state.bots["gas-bot"]?.key.algorithm == .p256)
    }

    @Test func botIdsAndKeysAreNeverReusedNorSharedWithPeople() throws {
        var c = try Cluster()
        let key = BotSigningKey(ed25519: .init())
        try c.registerBot("risk-bot", key: key.publicKey)
        // A person's id, a bot's id, a registered key, an invalid id: refused when proposed.
        let refused: [GovernanceChange] = [
            .addBot(id: "erin", key: BotSigningKey(ed25519: .init()).publicKey, roles: []),
            .addBot(id: "risk-bot", key: BotSigningKey(ed25519: .init()).publicKey, roles: []),
            .addBot(id: "other-bot", key: key.publicKey, roles: []),
            .addBot(id: "Bad Id", key: BotSigningKey(ed25519: .init()).publicKey, roles: []),
            .addUser(id: "risk-bot", roles: []),
            .removeBot(id: "nobody"),
        ]
        for change in refused {
            let (_, outcome) = try c.propose(change, by: "frank")
            #expect(Cluster.code(outcome) == .invalidChange || Cluster.code(outcome) == .unknownBot, "\(change)")
        }
        #expect(c.state.bots.count == 1)
        #expect(c.state.users["risk-bot"] == nil)
        // Removed, its id and key stay taken.
        let (remove, _) = try c.propose(.removeBot(id: "risk-bot"), by: "frank")
        try c.approve(remove, by: "grace")
        try c.approve(remove, by: "erin")
        #expect(c.state.bots["risk-bot"]?.active == false)
        let (again, outcome) = try c.propose(.addBot(id: "new-bot", key: key.publicKey, roles: []), by: "frank")
        #expect(Cluster.code(outcome) == .invalidChange)
        #expect(c.state.operations[again.id] == nil)
        let (rotate, rotateOutcome) = try c.propose(.rotateBotKey(id: "risk-bot", key: BotSigningKey(ed25519: .init()).publicKey), by: "frank")
        #expect(Cluster.code(rotateOutcome) == .inactiveBot)
        #expect(c.state.operations[rotate.id] == nil)
    }

    /// Would have caught a removed bot that the policy still allows (its rules match on the
    /// principal's kind, which removal does not change), so that only the signature check stood
    /// between its leaked key and a transfer.
    @Test func aRemovedBotHasNoRolesInThePolicyAndThePolicyDeniesItsRequestsAfterwards() throws {
        var c = try Cluster()
        let key = BotSigningKey(ed25519: .init())
        try c.registerBot("desk-bot", key: key.publicKey, roles: ["desk"])
        let asPolicySees = PolicyRequest(
            kind: .transfer, initiator: "desk-bot", vault: "hot", chain: "ethereum", asset: "ETH", amount: FixedDecimal(1)!,
            destination: Cluster.kraken)
        // The test policy allows any bot to pay exchanges up to 10 ETH.
        #expect(c.state.evaluate(asPolicySees, blockTime: c.now).outcome == .allow)
        let (remove, _) = try c.propose(.removeBot(id: "desk-bot"), by: "grace")
        try c.approve(remove, by: "frank")
        try c.approve(remove, by: "erin")
        #expect(c.status(remove) == .executed)
        #expect(c.state.bots["desk-bot"]?.active == false)
        let after = c.state.evaluate(asPolicySees, blockTime: c.now)
        #expect(after.outcome == .deny)
        #expect(after.reason == .unknownInitiator, "\(after.reason)")
    }

    @Test func proposalsWithBotChangesRoundTrip() throws {
        let ed = BotSigningKey(ed25519: .init()).publicKey
        let p256 = BotSigningKey(p256: .init()).publicKey
        let changes: [GovernanceChange] = [
            .addBot(id: "risk-bot", key: ed, roles: ["a", "b"]), .addBot(id: "p-bot", key: p256, roles: []),
            .removeBot(id: "risk-bot"), .rotateBotKey(id: "risk-bot", key: p256),
        ]
        for change in changes {
            let p = GovernanceProposal(id: "op", proposer: "frank", change: change)
            #expect(try GovernanceProposal(encoded: p.encoded) == p)
        }
        // Existing change kinds keep their numbers; the bot changes take 16 (10 before bots
        // carried an environment), 11 and 12.
        func kindByte(_ change: GovernanceChange) -> UInt8 {
            let p = GovernanceProposal(id: "op", proposer: "frank", change: change)
            let prefix = GovernanceProposal(id: "op", proposer: "frank", change: .freeze).encoded.count - 1
            return p.encoded[prefix]
        }
        #expect(kindByte(.freeze) == 8)
        #expect(kindByte(.unfreeze) == 9)
        #expect(changes.map(kindByte) == [16, 16, 11, 12])
    }

    @Test func anInvalidKeyInAProposalIsMalformed() throws {
        let good = GovernanceProposal(id: "op", proposer: "frank", change: .addBot(id: "x-bot", key: BotSigningKey(p256: .init()).publicKey, roles: []))
        var bytes = good.encoded
        // The 65-byte key is followed by an empty role list (4 zero bytes) and the environment
        // (a 4-byte length and "development"): flip a bit of its y coordinate, so the point is
        // no longer on the curve.
        bytes[bytes.count - 5 - 4 - "development".utf8.count] ^= 1
        let offCurve = #expect(throws: GovernanceError(.malformed, "")) { try GovernanceProposal(encoded: bytes) }
        #expect(offCurve?.reason.contains("bot key") == true)
        // Truncated anywhere: malformed, naming where, never a crash.
        for cut in 0..<good.encoded.count {
            let error = #expect(throws: GovernanceError(.malformed, "")) { try GovernanceProposal(encoded: Array(good.encoded.prefix(cut))) }
            #expect(error?.reason.contains("truncated at ") == true || (cut == 0 && error?.reason.isEmpty == false),
                    "cut at \(cut): \(error.map(\.reason) ?? "")")
        }
    }

    @Test func rotatingAKeyNeedsTheQuorumAndRetiresTheOldKey() throws {
        var c = try Cluster()
        let old = BotSigningKey(ed25519: .init())
        let new = BotSigningKey(p256: .init())
        try c.registerBot("risk-bot", key: old.publicKey)
        let beforeRotation = c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: old)
        #expect(Cluster.decided(try c.submit(beforeRotation))?.outcome == .allow)
        let (rotate, _) = try c.propose(.rotateBotKey(id: "risk-bot", key: new.publicKey), by: "frank")
        try c.approve(rotate, by: "grace")
        #expect(c.state.bots["risk-bot"]?.key == old.publicKey)
        try c.approve(rotate, by: "erin")
        #expect(c.state.bots["risk-bot"]?.key == new.publicKey)
        let withOldKey = c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: old)
        #expect(Cluster.requestSigningCode(try c.submit(withOldKey)) == .badSignature)
        let withNewKey = c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: new)
        #expect(Cluster.decided(try c.submit(withNewKey))?.outcome == .allow)
        // The request accepted before the rotation cannot be replayed with the new key in force either.
        #expect(Cluster.code(try c.submit(beforeRotation)) == .requestRefused)
    }
}
