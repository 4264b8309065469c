import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import CustosTestSupport
import Testing

/// Bots' signed requests as log entries: verified by every node inside the transition at the
/// block's time, decided by the policy in force, and refused identically on every copy.
@Suite struct BotRequestTests {
    static func cluster(algorithm: BotPublicKey.Algorithm = .ed25519) throws -> (Cluster, BotSigningKey) {
        var c = try Cluster()
        let key = algorithm == .ed25519 ? BotSigningKey(ed25519: .init()) : BotSigningKey(p256: .init())
        try c.registerBot("risk-bot", key: key.publicKey)
        return (c, key)
    }

    @Test(arguments: [BotPublicKey.Algorithm.ed25519, .p256])
    func requestsAreDecidedByThePolicyInForce(algorithm: BotPublicKey.Algorithm) throws {
        let (initial, key) = try Self.cluster(algorithm: algorithm)
        var c = initial
        // bot-to-exchanges: any bot may pay address-book exchanges up to 10 ETH.
        let small = c.signed(Cluster.transfer(by: "risk-bot", amount: "5"), keyId: "risk-bot", key: key)
        let allowed = try #require(Cluster.decided(try c.submit(small)))
        #expect(allowed.outcome == .allow)
        let record = try #require(c.state.requestBook.requests[allowed.id])
        #expect(record.id == Hashes.sha256(small.signingInput).hexString)
        #expect(record.initiator == "risk-bot")
        #expect(record.initiatorKind == .bot)
        #expect(record.blockTime == c.now)
        #expect(record.nonce == small.nonce)
        #expect(record.decision.reason == .allowedByRule("bot-to-exchanges"))
        #expect(record.request.amount == FixedDecimal(5)!)
        #expect(record.request.id == "client-1")
        #expect(record.body == JCS.canonicalBytes(small.body))
        #expect(record.policyVersion == 1)

        let large = c.signed(Cluster.transfer(by: "risk-bot", amount: "20"), keyId: "risk-bot", key: key)
        let denied = try #require(Cluster.decided(try c.submit(large)))
        #expect(denied.outcome == .deny)
        #expect(c.state.requestBook.requests[denied.id]?.decision.reason == .noRuleMatched)

        let unknown = c.signed(
            Cluster.transfer(by: "risk-bot", destination: "0x2222222222222222222222222222222222222222"), keyId: "risk-bot", key: key)
        let third = try #require(Cluster.decided(try c.submit(unknown)))
        #expect(third.outcome == .deny)
        #expect(c.state.requestBook.order == [allowed.id, denied.id, third.id])
        #expect(Set(c.state.requestBook.requests.keys) == [allowed.id, denied.id, third.id])
        #expect(c.state.refusals.isEmpty)
    }

    @Test func aPolicyChangeAddsApprovalsAndAFreezeDeniesEverything() throws {
        let (initial, key) = try Self.cluster()
        var c = initial
        let next = Cluster.policy(version: 2).replacing("rules:\n", with: """
            rules:
              - name: bot-over-five-needs-an-admin
                match: {initiator: {kind: bot}, amount: {over: 5}}
                outcome: {require: {group: admins, count: 1}}

            """)
        let (change, _) = try c.propose(.changePolicy(yaml: next), by: "frank")
        try c.approve(change, by: "grace")
        try c.approve(change, by: "erin")
        #expect(c.state.policyVersion == 2)
        let six = c.signed(Cluster.transfer(by: "risk-bot", amount: "6"), keyId: "risk-bot", key: key)
        let pending = try #require(Cluster.decided(try c.submit(six)))
        #expect(pending.outcome == .needsApprovals)
        let record = try #require(c.state.requestBook.requests[pending.id])
        #expect(record.policyVersion == 2)
        #expect(record.decision.pending.map(\.group) == ["admins"])
        #expect(record.decision.pending.map(\.rule) == ["bot-over-five-needs-an-admin"])
        #expect(record.decision.pending.map(\.count) == [1])

        try c.propose(.freeze, by: "heidi")
        #expect(c.state.frozen)
        let small = c.signed(Cluster.transfer(by: "risk-bot", amount: "1"), keyId: "risk-bot", key: key)
        let frozen = try #require(Cluster.decided(try c.submit(small)))
        #expect(frozen.outcome == .deny)
        #expect(c.state.requestBook.requests[frozen.id]?.decision.reason == .frozen)
    }

    /// Each hostile or broken request, applied to two copies of the state: the same refusal code
    /// on both, nothing but the refusal recorded (no request, no nonce), equal digests.
    @Test func refusalsAreRecordedIdenticallyOnEveryCopy() throws {
        let (initial, key) = try Self.cluster()
        var c = initial
        let impostor = BotSigningKey(ed25519: .init())
        let otherType = BotSigningKey(p256: .init())
        let valid = c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: key)
        #expect(Cluster.decided(try c.submit(valid)) != nil)

        var cases: [(String, Entry, GovernanceError.Code, RequestSigningError.Code?)] = []
        func add(_ name: String, _ entry: Entry, _ code: GovernanceError.Code, _ signing: RequestSigningError.Code? = nil) {
            cases.append((name, entry, code, signing))
        }
        add("forged signature", try RequestEntry.submit(c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: impostor)),
            .requestRefused, .badSignature)
        let honest = c.signed(Cluster.transfer(by: "risk-bot", amount: "1"), keyId: "risk-bot", key: key)
        let altered = SignedRequest(
            body: Cluster.transfer(by: "risk-bot", amount: "9"), cluster: c.state.genesisDigest, keyId: honest.keyId, timestamp: honest.timestamp, nonce: honest.nonce,
            signature: honest.signature)
        add("altered body", try RequestEntry.submit(altered), .requestRefused, .badSignature)
        let retimed = SignedRequest(
            body: honest.body, cluster: c.state.genesisDigest, keyId: honest.keyId, timestamp: honest.timestamp + 1, nonce: honest.nonce, signature: honest.signature)
        add("altered timestamp", try RequestEntry.submit(retimed), .requestRefused, .badSignature)
        add("replayed nonce", try RequestEntry.submit(valid), .requestRefused, .replayedNonce)
        let staging = SignedRequest(
            body: Cluster.transfer(by: "risk-bot", amount: "3"), cluster: Hashes.sha256(Array("a staging cluster".utf8)), keyId: "risk-bot",
            timestamp: Int64(c.now), nonce: c.nonce(), key: key)
        add("signed for another cluster", try RequestEntry.submit(staging), .requestRefused, .wrongCluster)
        let sameNonce = SignedRequest(
            body: Cluster.transfer(by: "risk-bot", amount: "2"), cluster: c.state.genesisDigest, keyId: "risk-bot", timestamp: valid.timestamp, nonce: valid.nonce, key: key)
        add("fresh body, used nonce", try RequestEntry.submit(sameNonce), .requestRefused, .replayedNonce)
        // The blocks below are one second (and a few ms) after `now`; the window is five minutes either side.
        add("stale timestamp", try RequestEntry.submit(c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: key, skew: 1_000 - 300_001)),
            .requestRefused, .staleTimestamp)
        add("future timestamp", try RequestEntry.submit(c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: key, skew: 1_000 + 300_100)),
            .requestRefused, .futureTimestamp)
        add("wrong key type", try RequestEntry.submit(c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: otherType)),
            .requestRefused, .badSignature)
        add("unknown bot", try RequestEntry.submit(c.signed(Cluster.transfer(by: "ghost-bot"), keyId: "ghost-bot", key: impostor)),
            .unknownBot)
        add("someone else's initiator", try RequestEntry.submit(c.signed(Cluster.transfer(by: "erin"), keyId: "risk-bot", key: key)),
            .invalidRequest)
        add("approvals claimed", try RequestEntry.submit(c.signed(
            Cluster.transfer(by: "risk-bot", extra: [("approvals", .array([.string("frank")]))]), keyId: "risk-bot", key: key)),
            .invalidRequest)
        add("governance by a bot", try RequestEntry.submit(c.signed(
            .object([("initiator", .string("risk-bot")), ("operation", .object([("action", .string("add_user")), ("target", .string("x"))]))]),
            keyId: "risk-bot", key: key)), .invalidRequest)
        add("unknown body field", try RequestEntry.submit(c.signed(
            Cluster.transfer(by: "risk-bot", extra: [("priority", .string("high"))]), keyId: "risk-bot", key: key)), .invalidRequest)
        add("body not an object", try RequestEntry.submit(c.signed(.array([]), keyId: "risk-bot", key: key)), .invalidRequest)
        let envelope = c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: key).jsonBytes
        add("truncated envelope", try RequestEntry.submit(envelope: Array(envelope.prefix(envelope.count / 2))), .malformed, .malformed)
        add("garbage envelope", try RequestEntry.submit(envelope: [0xff, 0x00, 0x7b, 0x22]), .malformed, .malformed)
        add("empty envelope", try RequestEntry.submit(envelope: []), .malformed, .malformed)
        var extra = Array(String(decoding: envelope, as: UTF8.self).dropLast().utf8)
        extra += Array(#","admin":true}"#.utf8)
        add("unknown envelope member", try RequestEntry.submit(envelope: extra), .malformed, .unknownField)
        add("bot envelope with an authorization", try Entry(kind: RequestEntry.submitKind, payload: envelope, authorization: [1]), .malformed)

        var a = c.state
        var b = c.state
        let requestsBefore = c.state.requestBook.order
        let cacheBefore = c.state.requestBook.replayCache
        for (i, (name, entry, code, signing)) in cases.enumerated() {
            let time = c.now + 1_000 + UInt64(i)
            let outcomeA = a.apply(entry, blockTime: time)
            let outcomeB = b.apply(entry, blockTime: time)
            #expect(Cluster.code(outcomeA) == code, "\(name): \(outcomeA)")
            #expect(Cluster.requestSigningCode(outcomeA) == signing, "\(name): \(outcomeA)")
            #expect(outcomeA == outcomeB, "\(name)")
            #expect(a.refusals.last?.error.code == code, "\(name)")
            #expect(a.refusals.last?.kind == RequestEntry.submitKind, "\(name)")
        }
        #expect(a.refusals.count == cases.count)
        #expect(a.refusals.map(\.error.reason) == b.refusals.map(\.error.reason))
        #expect(a.refusals.map(\.error.requestSigning) == cases.map(\.3))
        #expect(a.requestBook.order == requestsBefore)
        #expect(a.requestBook.replayCache == cacheBefore)
        #expect(a.digest == b.digest)
        #expect(a.digest != c.state.digest)
    }

    @Test func aRemovedBotsRequestsAreRefused() throws {
        let (initial, key) = try Self.cluster()
        var c = initial
        let signedBefore = c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: key)
        let (remove, _) = try c.propose(.removeBot(id: "risk-bot"), by: "frank")
        try c.approve(remove, by: "grace")
        try c.approve(remove, by: "erin")
        // Signed while it was active, submitted after: refused.
        #expect(Cluster.code(try c.submit(signedBefore)) == .inactiveBot)
        #expect(Cluster.code(try c.submit(c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: key))) == .inactiveBot)
        #expect(c.state.refusals.last?.user == "risk-bot")
        #expect(c.state.requestBook.requests.isEmpty)
    }

    @Test func theWindowIsAroundBlockTimeNotTheSignersClock() throws {
        let (initial, key) = try Self.cluster()
        var c = initial
        // Signed "now", but the block that carries it comes ten minutes later: stale.
        let late = c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: key)
        let outcome = c.state.apply(try RequestEntry.submit(late), blockTime: c.now + 600_000)
        #expect(Cluster.requestSigningCode(outcome) == .staleTimestamp)
        // Stamped four minutes ahead of the block time: inside the window, accepted.
        let ahead = c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: key, skew: 600_000 + 240_000)
        #expect(Cluster.decided(c.state.apply(try RequestEntry.submit(ahead), blockTime: c.now + 600_000)) != nil)
        // Block time never goes back: a block stamped earlier does not reopen the window.
        let old = SignedRequest(body: Cluster.transfer(by: "risk-bot"), cluster: c.state.genesisDigest, keyId: "risk-bot", timestamp: Int64(c.now), nonce: c.nonce(), key: key)
        #expect(Cluster.requestSigningCode(c.state.apply(try RequestEntry.submit(old), blockTime: c.now)) == .staleTimestamp)
    }

    @Test func theValidatorRejectsGarbageAndRefusedRequestsAsItsModeSays() throws {
        let (initial, key) = try Self.cluster()
        var c = initial
        let valid = c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: key)
        let entries = [
            try RequestEntry.submit(valid), try RequestEntry.submit(valid),
            try RequestEntry.submit(envelope: Array("{\"body\":".utf8)),
        ]
        let block = try Block(height: 1, previousHash: LedgerHash(bytes: c.genesis.digest), timestamp: c.now + 1_000, entries: entries)
        var strict = StateEntryValidator(committed: c.state)
        var recording = StateEntryValidator(committed: c.state, mode: .recordRefusals)
        let strictVerdicts = entries.enumerated().map { strict.validate($1, at: $0, in: block) }
        let recordingVerdicts = entries.enumerated().map { recording.validate($1, at: $0, in: block) }
        #expect(strictVerdicts[0] == .accept)
        guard case .reject(let replay) = strictVerdicts[1] else { Issue.record("strict mode accepted a replay"); return }
        #expect(replay.contains("requestRefused") && replay.contains("replayedNonce"))
        #expect(recordingVerdicts[0] == .accept)
        #expect(recordingVerdicts[1] == .accept)  // committed, and refused identically everywhere
        guard case .reject = recordingVerdicts[2] else { Issue.record("accepted an undecodable envelope"); return }
        // A rejected entry leaves no trace in the validator's working state.
        #expect(recording.state.refusals.count == 1)
        // The state that applied only the two accepted entries of that block is the validator's:
        // a request records the block it is in, so both enter the same block.
        for entry in entries.prefix(2) { c.state.apply(entry, of: block) }
        #expect(c.state.digest == recording.state.digest)
        #expect(c.state.refusals.map(\.error.requestSigning) == [.replayedNonce])
    }

    /// Random interleavings of governance and requests (valid, forged, replayed, stale, from
    /// removed bots) applied by several copies: equal digests after every block, and the digest
    /// moves whenever something was recorded.
    @Test(arguments: [UInt64(1), 2, 3])
    func copiesApplyingTheSameEntriesAgree(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let (initial, key) = try Self.cluster()
        var c = initial
        let second = BotSigningKey(p256: .init())
        try c.registerBot("gas-bot", key: second.publicKey, roles: ["gas"])
        var sent: [SignedRequest] = []
        var blocks: [Block] = []
        var height: UInt64 = 1
        for _ in 0..<12 {
            var entries: [Entry] = []
            c.now += 1_000 * UInt64.random(in: 1...200, using: &rng)
            for _ in 0..<Int.random(in: 1...5, using: &rng) {
                let bot = Bool.random(using: &rng) ? ("risk-bot", key) : ("gas-bot", second)
                let amount = String(Int.random(in: 1...15, using: &rng))
                switch Int.random(in: 0..<6, using: &rng) {
                case 0, 1:
                    let s = c.signed(Cluster.transfer(by: bot.0, amount: amount), keyId: bot.0, key: bot.1)
                    sent.append(s)
                    entries.append(try RequestEntry.submit(s))
                case 2:
                    if let old = sent.randomElement(using: &rng) { entries.append(try RequestEntry.submit(old)) }
                case 3:
                    entries.append(try RequestEntry.submit(c.signed(
                        Cluster.transfer(by: bot.0), keyId: bot.0, key: BotSigningKey(ed25519: .init()))))
                case 4:
                    entries.append(try RequestEntry.submit(envelope: rng.bytes(Int.random(in: 0...40, using: &rng))))
                default:
                    let p = GovernanceProposal(id: c.nextId(), proposer: "frank", change: Bool.random(using: &rng) ? .freeze : .unfreeze)
                    entries.append(try c.proposeEntry(p))
                    entries.append(try c.approveEntry(p, by: "grace"))
                    entries.append(try c.approveEntry(p, by: "erin"))
                }
            }
            guard !entries.isEmpty else { continue }
            height += 1
            blocks.append(try Block(height: height, previousHash: LedgerHash(bytes: c.genesis.digest), timestamp: c.now, entries: entries))
        }
        var copies = [c.state, c.state, c.state]
        for block in blocks {
            let before = copies[0].digest
            let outcomes = copies.indices.map { copies[$0].apply(block) }
            #expect(outcomes.allSatisfy { $0 == outcomes[0] })
            #expect(Set(copies.map(\.digest)).count == 1)
            // Every entry is recorded, as a decided request or a refusal.
            if !outcomes[0].isEmpty { #expect(copies[0].digest != before) }
        }
        #expect(copies[0].requestBook.requests.count + copies[0].refusals.count > 0)
    }
}

/// The per-state memory bounds: decided requests and refusals keep the most recent ones.
@Suite struct BotRequestBoundTests {
    @Test func decidedRequestsAndRefusalsAreBounded() throws {
        var c = try Cluster()
        let key = BotSigningKey(ed25519: .init())
        try c.registerBot("risk-bot", key: key.publicKey)
        let limit = RequestBook.maximumRecordedRequests
        var first: String? = nil
        var last: String? = nil
        // A thousand requests per block time, a replay window apart, so the replay cache keeps
        // pruning (its own bound is exercised by CustosIdentityTests) while the records pile up.
        for i in 0..<(limit + 5) {
            if i % 1_000 == 0 { c.now += 301_000 }
            let s = SignedRequest(
                body: Cluster.transfer(by: "risk-bot", amount: "1"), cluster: c.state.genesisDigest, keyId: "risk-bot", timestamp: Int64(c.now),
                nonce: "bound-nonce-\(String(i).leftPadded(8))", key: key)
            let decided = try #require(Cluster.decided(c.state.apply(try RequestEntry.submit(s), blockTime: c.now)))
            if i == 0 { first = decided.id }
            last = decided.id
        }
        #expect(c.state.requestBook.requests.count == limit)
        #expect(c.state.requestBook.order.count == limit)
        #expect(c.state.requestBook.requests[try #require(first)] == nil)
        #expect(c.state.requestBook.order.last == last)
        #expect(Set(c.state.requestBook.order) == Set(c.state.requestBook.requests.keys))

        let garbage = try RequestEntry.submit(envelope: Array("not json".utf8))
        for _ in 0..<(ReplicatedState.maximumRecordedRefusals + 3) { c.state.apply(garbage, blockTime: c.now) }
        #expect(c.state.refusals.count == ReplicatedState.maximumRecordedRefusals)
    }
}
