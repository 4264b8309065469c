import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import Testing

/// Nothing unauthenticated in the log, tried as an attacker who controls the gateway would: a
/// hand-built proposal carrying an entry of a kind no node knows, an entry without any signature,
/// or one over its kind's bound is refused whole by a node (`.recordRefusals`, what nodes run) —
/// and `malformation(of:)` names each, so an honest gateway never queues one. A signature that is
/// present but does not verify is not malformed: the block commits and every node records it.
@Suite struct EntryAuthenticationTests {
    /// A node's verdict on a block of `entries` proposed on top of `c`'s state.
    static func nodeRefuses(_ c: Cluster, _ entries: [Entry]) throws -> Bool {
        var (node, configuration) = try NodeConsensusTests.node(c)
        let committed = try ReplicatedState(cluster: configuration)
        let block = try Block(height: 1, previousHash: configuration.genesisDigest, timestamp: c.now + 1_000, entries: entries)
        switch node.receiveProposal(block, now: block.timestamp, validator: StateEntryValidator(committed: committed, mode: .recordRefusals)) {
        case .refuse(.entryRejected): return true
        default: return false
        }
    }

    static func proposal() -> GovernanceProposal {
        GovernanceProposal(id: "add-ivan", proposer: "frank", change: .addUser(id: "ivan", roles: []))
    }

    /// An entry of a kind no node knows, between two valid ones.
    @Test func anUnknownKindMakesTheBlockUnvotable() throws {
        var c = try Cluster()
        let unknown = try Entry(kind: "bench.transfer", payload: Array("pay 1000 ETH".utf8), authorization: [0xa5])
        #expect(ReplicatedState.malformation(of: unknown)?.code == .unknownKind)
        #expect(try Self.nodeRefuses(c, [try c.proposeEntry(Self.proposal()), unknown]))
        #expect(Cluster.code(c.state.applying(unknown, blockTime: c.now + 1_000).1) == .unknownKind)
    }

    /// A bot's request with an empty signature and no assertion: signed by no one.
    @Test func anUnsignedRequestMakesTheBlockUnvotable() throws {
        let (initial, _) = try BotRequestTests.cluster()
        var c = initial
        let unsigned = SignedRequest(body: Cluster.transfer(by: "risk-bot"), cluster: c.state.genesisDigest, keyId: "risk-bot", timestamp: Int64(c.now), nonce: c.nonce(),
                                     signature: [])
        let entry = try RequestEntry.submit(unsigned)
        #expect(ReplicatedState.malformation(of: entry)?.code == .unsigned)
        #expect(try Self.nodeRefuses(c, [entry]))
        // A person's request whose assertion carries no signature.
        let person = RequestEntry.personEnvelope(body: Cluster.transfer(by: "frank"), cluster: c.state.genesisDigest, user: "frank", timestamp: Int64(c.now), nonce: c.nonce())
        let real = c.assert("frank", RequestEntry.personChallenge(person))
        let emptied = WebAuthnAssertion.Response(credentialId: real.credentialId, authenticatorData: real.authenticatorData,
                                                 clientDataJSON: real.clientDataJSON, signature: [], userHandle: real.userHandle)
        let personEntry = try RequestEntry.submit(person, assertion: emptied)
        #expect(ReplicatedState.malformation(of: personEntry)?.code == .unsigned)
        #expect(try Self.nodeRefuses(c, [personEntry]))
    }

    /// Governance entries without an assertion, or with an assertion stripped of its signature.
    @Test func anUnsignedGovernanceEntryMakesTheBlockUnvotable() throws {
        var c = try Cluster()
        let p = Self.proposal()
        let real = c.assert("frank", p.challenge(.propose, genesisDigest: c.state.genesisDigest))
        let stripped = WebAuthnAssertion.Response(credentialId: real.credentialId, authenticatorData: real.authenticatorData,
                                                  clientDataJSON: real.clientDataJSON, signature: [], userHandle: real.userHandle)
        let unsigned = try GovernanceEntry.propose(p, assertion: stripped).entry()
        let bare = try Entry(kind: GovernanceEntry.approveKind, payload: c.approveEntry(p, by: "grace").payload)
        for entry in [unsigned, bare] {
            #expect(ReplicatedState.malformation(of: entry)?.code == .unsigned)
            #expect(try Self.nodeRefuses(c, [entry]))
        }
    }

    /// A well-signed request padded past its kind's bound (yet under the ledger's entry limit).
    @Test func anOversizeEntryMakesTheBlockUnvotable() throws {
        let (initial, key) = try BotRequestTests.cluster()
        var c = initial
        let padding = JSONValue.string(String(repeating: "x", count: 70 * 1024))
        let signed = c.signed(Cluster.transfer(by: "risk-bot", extra: [("memo", padding)]), keyId: "risk-bot", key: key)
        let entry = try RequestEntry.submit(signed)
        #expect(entry.payload.count < Entry.maximumPayloadBytes)
        #expect(ReplicatedState.malformation(of: entry)?.code == .oversize)
        #expect(try Self.nodeRefuses(c, [entry]))
    }

    /// A signature that is present but wrong depends on the state (keys, counters): the block
    /// stays votable, and every node records the refusal.
    @Test func aForgedSignatureIsRecordedNotBlockRefusing() throws {
        let (initial, _) = try BotRequestTests.cluster()
        var c = initial
        let stranger = BotSigningKey(ed25519: .init())
        let forged = try RequestEntry.submit(c.signed(Cluster.transfer(by: "risk-bot"), keyId: "risk-bot", key: stranger))
        #expect(ReplicatedState.malformation(of: forged) == nil)
        #expect(try Self.nodeRefuses(c, [forged]) == false)
        #expect(Cluster.code(c.state.applying(forged, blockTime: c.now + 1_000).1) == .requestRefused)
    }

    /// Every kind the table lists is one the state routes; every other kind is refused.
    @Test func theTableNamesTheKnownKinds() {
        #expect(Set(ReplicatedState.entryKinds.keys)
            == Set([GovernanceEntry.proposeKind, GovernanceEntry.approveKind, GovernanceEntry.rejectKind, GovernanceEntry.enrolKind, RequestEntry.submitKind,
                    RequestDecisionEntry.approveKind, RequestDecisionEntry.rejectKind, RequestBatchApproval.kind, PriceEntry.postKind, WatchEntry.reportKind,
                    TransactionParametersEntry.kind, TransactionSimulationEntry.kind, TransactionReceiptEntry.kind, ReceiptCheckEntry.kind, DeploymentCheckEntry.kind,
                    NodeRestoredEntry.kind, OfflineAttestation.kind, OfflineShareEntry.kind]
                   + VaultEntry.kinds))
        for (name, kind) in ReplicatedState.entryKinds {
            #expect(kind.name == name)
            #expect(kind.maximumBytes <= Entry.maximumPayloadBytes + Entry.maximumAuthorizationBytes)
        }
    }
}
