import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosLedger
import CustosNode
import CustosState
@testable import CustosNodeService
import Foundation
import Testing

/// A node restored from a backup cannot vote twice at a height its original voted at (issue 15
/// item 4, review H1): its backup carries no votes, so it votes at no height up to the one whose
/// certified block carries its own `node.restored` entry with the nonce its restore drew. Tried
/// as an attacker (a gateway, or f corrupt nodes) would: asking it to vote and to give up rounds
/// before and at that height, replaying its entry of an earlier restore, forging its entry.
struct RestoredNodeTests {
    /// node-1's database marked restored, with the nonce of the restore.
    static func restored(_ scene: CommitScene) throws -> (database: NodeDatabase, nonce: [UInt8]) {
        let path = scene.folder.appendingPathComponent("node-0").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let database = try NodeDatabase(path: path + "/votes.sqlite")
        let nonce = SecureRandom.bytes(count: 32)
        try database.markRestored(nonce: nonce)
        return (database, nonce)
    }

    @Test func aRestoredNodeVotesOnlyAboveTheHeightItsOwnEntryCommittedAt() async throws {
        let scene = try CommitScene()
        defer { try? FileManager.default.removeItem(at: scene.folder) }
        let genesis = scene.configuration.genesisDigest
        // What members sign their own entries over: the governed state's genesis digest.
        let stateGenesis = try scene.configuration.genesisState().genesisDigest
        let (database, nonce) = try Self.restored(scene)
        let node = try scene.node(0)
        let me = scene.identities[0]

        // Height 1, before its entry committed: no vote, no round change, whoever asks.
        let first = try Block(height: 1, previousHash: genesis, timestamp: scene.now, entries: [try TestNote.entry("1")])
        #expect(try await node.decide(first, now: scene.now) == nil, "a restored node voted before its node.restored entry committed")
        try await node.abandon(0)
        #expect(try database.roundChange(at: 1) == nil, "a restored node gave up a round before its entry committed")
        let vote = Vote(signing: first, genesisDigest: genesis, identity: me)
        #expect(throws: StorageError(.restoredNotVoting, "")) { _ = try database.recordVote(height: 1, blockHash: first.hash.bytes, vote: vote.serialized) }
        #expect(throws: StorageError(.restoredNotVoting, "")) { _ = try database.recordRoundChange(height: 1, round: 0, change: [1]) }
        #expect(await node.health().voter == false)

        // Height 1 commits with its entry of an earlier restore, replayed by the gateway: nothing lifts.
        let earlier = try NodeRestoredEntry(nonce: SecureRandom.bytes(count: 32)).entry(signedBy: me, genesisDigest: stateGenesis)
        let replayed = try Block(height: 1, previousHash: genesis, timestamp: scene.now, entries: [earlier])
        #expect(try await node.commit(try scene.certified(replayed)))
        #expect(try database.restoration()?.floor == nil)
        let second = try Block(height: 2, previousHash: replayed.hash, timestamp: scene.now + 1_000, entries: [try TestNote.entry("2")])
        #expect(try await node.decide(second, now: scene.now + 1_000) == nil, "an entry of an earlier restore let the node vote")
        #expect(throws: StorageError(.invalidInput, "")) { try database.liftRestorationFloor(nonce: earlier.payload, to: 1) }

        // Height 2 commits with its own entry: the floor is 2.
        let own = try NodeRestoredEntry(nonce: nonce).entry(signedBy: me, genesisDigest: stateGenesis)
        let announced = try Block(height: 2, previousHash: replayed.hash, timestamp: scene.now + 1_000, entries: [own])
        #expect(try await node.commit(try scene.certified(announced)))
        #expect(try database.restoration()?.floor == 2)
        let atFloor = Vote(signing: second, genesisDigest: genesis, identity: me)
        #expect(throws: StorageError(.restoredNotVoting, "")) { _ = try database.recordVote(height: 2, blockHash: second.hash.bytes, vote: atFloor.serialized) }
        #expect(throws: StorageError(.restoredNotVoting, "")) { _ = try database.recordRoundChange(height: 2, round: 3, change: [1]) }

        // Above it, it votes; the floor holds across a restart, and a later replay changes nothing.
        let third = try Block(height: 3, previousHash: announced.hash, timestamp: scene.now + 2_000, entries: [own])
        let voted = try #require(try await node.decide(third, now: scene.now + 2_000), "the restored node does not vote above its floor")
        #expect(try Vote(serialized: voted).height == 3)
        let restarted = try scene.node(0)
        #expect(try await restarted.decide(third, now: scene.now + 2_000) == voted)
        #expect(await restarted.health().voter)
        #expect(try await restarted.commit(try scene.certified(third)))
        #expect(try database.restoration()?.floor == 2)
    }

    /// Two of four lost (issue 15 item 4, review H1): node-1 and node-2 are restored, node-3 and
    /// node-4 are left and have voted for x at height 2, which needs a third vote. node-1 learns
    /// from their voting records where its original may have voted — every height up to 1, and
    /// round 0 at heights 2 and 3 — and casts no vote there; it gives up round 0 at 2 only with
    /// their round changes there, listing what they list; with that certificate round 1
    /// re-proposes x, and it votes for it: the height commits without its node.restored entry.
    @Test func twoOfFourRestoredVoteAgainOnTheOtherTwosVotingRecords() async throws {
        let scene = try CommitScene()
        defer { try? FileManager.default.removeItem(at: scene.folder) }
        let genesis = scene.configuration.genesisDigest
        let first = try Block(height: 1, previousHash: genesis, timestamp: scene.now, entries: [try TestNote.entry("1")])
        let x = try Block(height: 2, previousHash: first.hash, timestamp: scene.now + 1_000, entries: [try TestNote.entry("x")])
        let survivors = [try scene.node(2), try scene.node(3)]
        for survivor in survivors {
            #expect(try await survivor.commit(try scene.certified(first)))
            #expect(try await survivor.decide(x, now: scene.now + 1_000) != nil)
        }
        let (database, nonce) = try Self.restored(scene)
        let node = try scene.node(0)
        let me = scene.identities[0].id
        #expect(try await node.commit(try scene.certified(first)))
        // A node restored itself vouches for nobody until its own entry commits.
        await #expect(throws: StorageError(.restoredNotVoting, "")) { try await node.votingRecord(restored: scene.identities[1].id, nonce: nonce) }
        // One record is not enough (n − q + 1 = 2 are needed even when trusted), a forged second does not count.
        let one = try await survivors[0].votingRecord(restored: me, nonce: nonce)
        let forged = VotingRecordStatement(member: scene.identities[3].id, restored: me, nonce: nonce, certificate: one.certificate,
                                           lastVote: one.lastVote, roundChange: nil, signature: one.signature)
        await #expect(throws: LedgerError(.insufficientVotes, "")) { try await node.adopt(votingRecords: [one, forged], trustingStatingMembers: true) }
        #expect(try database.restoration()?.floor == nil)
        let two = [one, try await survivors[1].votingRecord(restored: me, nonce: nonce)]
        // Two members' records tolerate no liar: only an operator who trusts them gets a floor from them.
        await #expect(throws: LedgerError(.insufficientVotes, "")) { try await node.adopt(votingRecords: two) }
        try await node.adopt(votingRecords: two, trustingStatingMembers: true)
        #expect(try database.restoration() == NodeDatabase.Restoration(nonce: nonce, floor: 1, rounds: [2: 0, 3: 0]))

        // Round 0 at 2: no vote; no round change while the others have not given it up.
        #expect(try await node.decide(x, now: scene.now + 1_000) == nil, "voted where its original may have voted")
        try? await node.abandon(0)
        #expect(try database.roundChange(at: 2) == nil, "gave up a round without the others' round changes there")
        // They give it up (listing x); with their fresh records it does too, listing x.
        for survivor in survivors { try? await survivor.abandon(0) }
        try await node.adopt(votingRecords: [try await survivors[0].votingRecord(restored: me, nonce: nonce),
                                             try await survivors[1].votingRecord(restored: me, nonce: nonce)], trustingStatingMembers: true)
        #expect(try database.restoration()?.rounds == [2: 0, 3: 0], "later records covering more replaced the floor")
        try? await node.abandon(0)
        let changes = [database, await survivors[0].votes, await survivors[1].votes]
        let signed = try changes.map { try RoundChange(serialized: try #require(try $0.roundChange(at: 2)).change) }
        #expect(signed[0].votedBlocks == [x.hash], "the restored node's round change does not list what the others voted for")
        let certificate = RoundChangeCertificate(height: 2, round: 0, previousHash: first.hash, changes: signed)
        try certificate.verify(in: scene.configuration)
        #expect(certificate.allowedBlock(in: scene.configuration) == .only(x.hash))
        // Round 1 re-proposes x: it votes, above the floor.
        let proposal = Proposal(block: x, round: 1, justification: certificate)
        guard case let .vote(bytes) = try await node.decide(proposal, now: scene.now + 2_000) else {
            Issue.record("the restored node does not vote in round 1")
            return
        }
        #expect(try Vote(serialized: bytes).round == 1)
    }

    /// The original coming back (review M1): a node never restored that sees a `node.restored`
    /// entry in its own name commit halts for good — no vote, no round change, signing halted,
    /// across a restart; so does a restored copy whose own entry committed when a later copy's
    /// entry commits.
    @Test func theOriginalStopsVotingOnceItsIdentityIsRestoredElsewhere() async throws {
        let scene = try CommitScene()
        defer { try? FileManager.default.removeItem(at: scene.folder) }
        let genesis = scene.configuration.genesisDigest
        let stateGenesis = try scene.configuration.genesisState().genesisDigest
        let original = try scene.node(1)
        let me = scene.identities[1]
        let elsewhere = try NodeRestoredEntry(nonce: SecureRandom.bytes(count: 32)).entry(signedBy: me, genesisDigest: stateGenesis)
        let first = try Block(height: 1, previousHash: genesis, timestamp: scene.now, entries: [elsewhere])
        #expect(try await original.commit(try scene.certified(first)))
        let second = try Block(height: 2, previousHash: first.hash, timestamp: scene.now + 1_000, entries: [try TestNote.entry("2")])
        #expect(try await original.decide(second, now: scene.now + 1_000) == nil, "the original voted after its identity was restored elsewhere")
        try? await original.abandon(0)
        let database = await original.votes
        #expect(try database.roundChange(at: 2) == nil)
        #expect(await original.health().voter == false)
        let vote = Vote(signing: second, genesisDigest: genesis, identity: me)
        do {
            _ = try database.recordVote(height: 2, blockHash: second.hash.bytes, vote: vote.serialized)
            Issue.record("the database recorded a vote of a node restored elsewhere")
        } catch {
            #expect(error.code == .restoredNotVoting && error.reason == "this node's identity was restored elsewhere at height 1; it must not vote")
        }
        #expect(try database.signingHalts().map(\.cause) == [.restoredElsewhere])
        #expect(try await scene.node(1).decide(second, now: scene.now + 1_000) == nil, "a restart lifted the halt")

        // A restored copy whose own entry committed at 1, then another copy's entry at 2: it halts too.
        let (copy, nonce) = try Self.restored(scene)
        let node = try scene.node(0)
        let own = try NodeRestoredEntry(nonce: nonce).entry(signedBy: scene.identities[0], genesisDigest: stateGenesis)
        let announced = try Block(height: 1, previousHash: genesis, timestamp: scene.now, entries: [own])
        #expect(try await node.commit(try scene.certified(announced)))
        #expect(try copy.restoration()?.entryHeight == 1 && copy.signingHalts().isEmpty)
        let later = try NodeRestoredEntry(nonce: SecureRandom.bytes(count: 32)).entry(signedBy: scene.identities[0], genesisDigest: stateGenesis)
        let another = try Block(height: 2, previousHash: announced.hash, timestamp: scene.now + 1_000, entries: [later])
        #expect(try await node.commit(try scene.certified(another)))
        #expect(try copy.signingHalts().map(\.cause) == [.restoredElsewhere])
        let third = try Block(height: 3, previousHash: another.hash, timestamp: scene.now + 2_000, entries: [try TestNote.entry("3")])
        #expect(try await node.decide(third, now: scene.now + 2_000) == nil)
    }

    @Test func aForgedOrMalformedRestorationIsRefusedByEveryNode() throws {
        let scene = try CommitScene()
        defer { try? FileManager.default.removeItem(at: scene.folder) }
        var state = try scene.configuration.genesisState()
        let genesis = state.genesisDigest
        let nonce = SecureRandom.bytes(count: 32)
        let member = scene.identities[0]

        let genuine = try NodeRestoredEntry(nonce: nonce).entry(signedBy: member, genesisDigest: genesis)
        #expect(state.apply(genuine, blockTime: scene.now) == .nodeRestored(member: "node-1", nonce: nonce))

        // Signed with another key under node-1's name.
        let impostor = NodeIdentity(id: member.id, signingKey: .init(), transportKey: .init())
        let forged = try NodeRestoredEntry(nonce: nonce).entry(signedBy: impostor, genesisDigest: genesis)
        #expect(state.apply(forged, blockTime: scene.now) == .refused(GovernanceError(.memberSignatureRefused, "")))
        // Signed by a node that is no member, or for another cluster.
        let stranger = NodeIdentity(id: NodeID("node-9"), signingKey: .init(), transportKey: .init())
        #expect(state.apply(try NodeRestoredEntry(nonce: nonce).entry(signedBy: stranger, genesisDigest: genesis), blockTime: scene.now)
            == .refused(GovernanceError(.unknownMember, "")))
        let otherCluster = try NodeRestoredEntry(nonce: nonce).entry(signedBy: member, genesisDigest: Array(repeating: 7, count: 32))
        #expect(state.apply(otherCluster, blockTime: scene.now) == .refused(GovernanceError(.memberSignatureRefused, "")))

        // What no node lets into a block: a short nonce, trailing bytes, no signature, oversize.
        func refusal(_ entry: Entry) -> GovernanceErrorCode? { ReplicatedState.malformation(of: entry)?.code }
        let short = try MemberSignature.entry(kind: NodeRestoredEntry.kind, payload: Array(genuine.payload.dropLast()), signedBy: member, genesisDigest: genesis)
        #expect(refusal(short) == .malformed)
        let trailing = try MemberSignature.entry(kind: NodeRestoredEntry.kind, payload: genuine.payload + [0], signedBy: member, genesisDigest: genesis)
        #expect(refusal(trailing) == .malformed)
        #expect(refusal(try Entry(kind: NodeRestoredEntry.kind, payload: genuine.payload)) == .unsigned)
        let padded = try Entry(kind: NodeRestoredEntry.kind, payload: genuine.payload, authorization: genuine.authorization + [UInt8](repeating: 0, count: 300))
        #expect(refusal(padded) == .oversize)
        #expect(refusal(genuine) == nil)
    }
}
