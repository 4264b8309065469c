import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import Testing

/// What a gateway may queue: `ReplicatedState.malformation(of:)` reads the entry alone and says
/// exactly when the transition refuses it with a block-refusing code (malformed, unknown kind,
/// unsigned, oversize) — the refusal that makes every node refuse the whole block — with the same
/// reason.
@Suite struct AdmissionTests {
    @Test func malformationIsExactlyTheTransitionsMalformedRefusal() throws {
        var c = try Cluster()
        let p = GovernanceProposal(id: "a", proposer: "frank", change: .addUser(id: "ivan", roles: []))
        let badId = GovernanceProposal(id: "not ok", proposer: "frank", change: .addUser(id: "ivan", roles: []))
        let noLifetime = GovernanceProposal(id: "b", proposer: "frank", change: .addUser(id: "ivan", roles: []), lifetimeSeconds: 0)
        let person = RequestEntry.personEnvelope(body: Cluster.transfer(by: "frank"), cluster: c.state.genesisDigest, user: "frank", timestamp: Int64(c.now), nonce: c.nonce())
        let personAssertion = c.assert("frank", RequestEntry.personChallenge(person))
        let alsoSigned = SignedRequest(body: person.body, cluster: c.state.genesisDigest, keyId: "frank", timestamp: person.timestamp, nonce: person.nonce, signature: [1])
        let entries: [(String, Entry)] = [
            ("a well-formed proposal", try c.proposeEntry(p)),
            ("a self-approval (refused, not malformed)", try c.approveEntry(p, by: "frank")),
            ("an approval that does not decode", try Entry(kind: GovernanceEntry.approveKind, payload: [1, 2, 3])),
            ("an unknown governance kind", try Entry(kind: "governance.nonsense", payload: [])),
            ("an operation id out of range", try c.proposeEntry(badId)),
            ("a lifetime out of range", try c.proposeEntry(noLifetime)),
            ("a request that is not JSON", try Entry(kind: RequestEntry.submitKind, payload: Array("{".utf8))),
            ("a person's request", try RequestEntry.submit(person, assertion: personAssertion)),
            ("a person's request that is also signed", try RequestEntry.submit(alsoSigned, assertion: personAssertion)),
            ("a person's request with an unreadable assertion",
             try Entry(kind: RequestEntry.submitKind, payload: person.jsonBytes, authorization: [9])),
            ("an entry of a kind no node knows", try Entry(kind: "transfer.request", payload: [9])),
            ("a governance entry without its assertion", try Entry(kind: GovernanceEntry.proposeKind, payload: try c.proposeEntry(p).payload)),
            ("a bot's request without a signature",
             try RequestEntry.submit(SignedRequest(body: person.body, cluster: c.state.genesisDigest, keyId: "frank", timestamp: person.timestamp, nonce: person.nonce, signature: []))),
        ]
        var malformed = 0
        for (name, entry) in entries {
            let outcome = c.state.applying(entry, blockTime: c.now + 1_000).1
            let refusal: GovernanceError? = if case .refused(let error) = outcome, error.code.refusesBlock { error } else { nil }
            #expect(ReplicatedState.malformation(of: entry)?.reason == refusal?.reason, "\(name): \(outcome)")
            if refusal != nil { malformed += 1 }
        }
        #expect(malformed == 10)
    }

    /// A proposal reusing an operation id, with a lifetime out of range, is malformed to admission
    /// and to a state that knows the id alike: the entry alone decides, before the state is read.
    @Test func aReusedIdWithABadLifetimeIsMalformedWhateverTheStateKnows() throws {
        var c = try Cluster()
        let (first, _) = try c.propose(.addUser(id: "ivan", roles: []), by: "frank")
        let again = GovernanceProposal(id: first.id, proposer: "frank", change: .addUser(id: "judy", roles: []), lifetimeSeconds: 0)
        let entry = try c.proposeEntry(again)
        let outcome = c.state.applying(entry, blockTime: c.now + 1_000).1
        guard case .refused(let error) = outcome else {
            Issue.record("a reused id was not refused: \(outcome)")
            return
        }
        #expect(error.code == .malformed)
        #expect(ReplicatedState.malformation(of: entry)?.code == .malformed)
    }
}

/// A gateway's preview of a request (`ReplicatedState.outcome(of:blockTime:)`) decides it in the
/// requests room without recording it: it must say exactly what applying the entry says.
@Suite struct RequestPreviewTests {
    @Test func aPreviewSaysWhatApplyingSaysAndChangesNothing() throws {
        let (initial, key) = try BotRequestTests.cluster()
        var c = initial
        let accepted = c.signed(Cluster.transfer(by: "risk-bot", amount: "5"), keyId: "risk-bot", key: key)
        try c.submit(accepted)
        let stranger = BotSigningKey(ed25519: .init())
        let entries: [(String, Entry)] = [
            ("allowed", try RequestEntry.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "5"), keyId: "risk-bot", key: key))),
            ("denied", try RequestEntry.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "20"), keyId: "risk-bot", key: key))),
            ("a replay", try RequestEntry.submit(accepted)),
            ("another key", try RequestEntry.submit(c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: stranger))),
            ("an unknown bot", try RequestEntry.submit(c.signed(Cluster.transfer(by: "ghost"), keyId: "ghost", key: key))),
            ("too old", try RequestEntry.submit(c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: key, skew: -3_600_000))),
            ("not JSON", try Entry(kind: RequestEntry.submitKind, payload: Array("{".utf8))),
        ]
        let digest = c.state.digest
        for (name, entry) in entries {
            let time = c.now + 1_000
            let applied = c.state.applying(entry, blockTime: time).1
            #expect("\(c.state.outcome(of: entry, blockTime: time))" == "\(applied)", "\(name)")
        }
        #expect(c.state.digest == digest)
    }
}
