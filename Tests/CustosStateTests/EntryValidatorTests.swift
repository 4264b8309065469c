import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import Testing

/// The validator a node plugs into `NodeConsensus`: it checks a proposed block's entries against
/// the committed state, seeing earlier entries of the same block.
@Suite struct EntryValidatorTests {
    static func block(_ c: Cluster, _ entries: [Entry], at time: UInt64) throws -> Block {
        try Block(height: 1, previousHash: LedgerHash(bytes: c.genesis.digest), timestamp: time, entries: entries)
    }

    static func verdicts(_ validator: StateEntryValidator, _ block: Block) -> [EntryVerdict] {
        var v = validator
        return block.entries.enumerated().map { v.validate($1, at: $0, in: block) }
    }

    @Test func aProposalAndItsApprovalsInOneBlockPass() throws {
        var c = try Cluster()
        let p = GovernanceProposal(id: "a", proposer: "frank", change: .addUser(id: "ivan", roles: []))
        // erin's transfer request, decided by the requests room between the governance entries.
        let person = RequestEntry.personEnvelope(body: Cluster.transfer(by: "erin"), cluster: c.state.genesisDigest, user: "erin", timestamp: Int64(c.now), nonce: c.nonce())
        let other = try RequestEntry.submit(person, assertion: c.assert("erin", RequestEntry.personChallenge(person)))
        let entries = [try c.proposeEntry(p), other, try c.approveEntry(p, by: "grace"), try c.approveEntry(p, by: "erin")]
        let block = try Self.block(c, entries, at: c.now + 1_000)
        var validator = StateEntryValidator(committed: c.state)
        for (i, e) in entries.enumerated() { #expect(validator.validate(e, at: i, in: block) == .accept) }
        // The validator's working copy executed it; the committed state did not move.
        #expect(validator.state.users["ivan"] != nil)
        #expect(c.state.users["ivan"] == nil)
        // Applying the committed block gives the validator's state.
        c.state.apply(block)
        #expect(c.state.digest == validator.state.digest)
    }

    @Test func strictModeRejectsARefusedEntry() throws {
        var c = try Cluster()
        let p = GovernanceProposal(id: "a", proposer: "frank", change: .addUser(id: "ivan", roles: []))
        let selfApproval = try c.approveEntry(p, by: "frank")
        let block = try Self.block(c, [try c.proposeEntry(p), selfApproval], at: c.now + 1_000)
        let verdicts = Self.verdicts(StateEntryValidator(committed: c.state), block)
        #expect(verdicts[0] == .accept)
        guard case .reject(let reason) = verdicts[1] else { Issue.record("accepted a self-approval"); return }
        #expect(reason.contains("initiatorCannotApprove"))
    }

    @Test func recordingModeAcceptsWellFormedRefusalsButNotMalformedEntries() throws {
        var c = try Cluster()
        let p = GovernanceProposal(id: "a", proposer: "frank", change: .addUser(id: "ivan", roles: []))
        let selfApproval = try c.approveEntry(p, by: "frank")
        let garbage = try Entry(kind: GovernanceEntry.approveKind, payload: [1, 2, 3])
        let block = try Self.block(c, [try c.proposeEntry(p), selfApproval, garbage], at: c.now + 1_000)
        let verdicts = Self.verdicts(StateEntryValidator(committed: c.state, mode: .recordRefusals), block)
        #expect(verdicts[0] == .accept)
        #expect(verdicts[1] == .accept)
        guard case .reject = verdicts[2] else { Issue.record("accepted a malformed entry"); return }
        // Committed without the garbage, the refusal is recorded identically on every node.
        let committed = try Self.block(c, Array(block.entries.prefix(2)), at: block.timestamp)
        var a = c.state
        var b = c.state
        a.apply(committed)
        b.apply(committed)
        #expect(a.refusals.map(\.error.code) == [.initiatorCannotApprove])
        #expect(a.digest == b.digest)
    }

    /// A validator that accepted a whole block holds the state applying that block yields, with
    /// the same outcomes — also for a block without governance entries (a request from a bot no
    /// one registered, recorded as refused), whose time alone expires an operation — so a node
    /// may commit it without applying the block again.
    @Test func aWhollyValidatedBlockYieldsTheStateItsApplicationYields() throws {
        var c = try Cluster()
        let p = GovernanceProposal(id: "a", proposer: "frank", change: .addUser(id: "ivan", roles: []), lifetimeSeconds: 60)
        c.apply(try c.proposeEntry(p))
        let later = c.now + 120_000
        let blocks = [
            try Self.block(c, [try RequestEntry.submit(c.signed(Cluster.transfer(by: "ghost"), keyId: "ghost",
                                                                key: BotSigningKey(ed25519: .init())))], at: later),
            try Self.block(c, [], at: later),
            try Self.block(c, [try c.approveEntry(p, by: "grace"), try c.proposeEntry(p)], at: later),
        ]
        for block in blocks {
            var validator = StateEntryValidator(committed: c.state, mode: .recordRefusals)
            for (i, e) in block.entries.enumerated() { #expect(validator.validate(e, at: i, in: block) == .accept) }
            let applied = try #require(validator.applied(block))
            var reference = c.state
            let outcomes = reference.apply(block)
            #expect(applied.state.digest == reference.digest, "block of \(block.entries.count) entries")
            #expect(applied.outcomes == outcomes)
            #expect(reference.operations["a"]?.status == .expired)
        }
    }

    /// A validator that stopped at a rejected entry, or saw another block, holds no block's state.
    @Test func aPartlyValidatedBlockYieldsNoState() throws {
        var c = try Cluster()
        let p = GovernanceProposal(id: "a", proposer: "frank", change: .addUser(id: "ivan", roles: []))
        let block = try Self.block(c, [try c.proposeEntry(p), try c.approveEntry(p, by: "frank")], at: c.now + 1_000)
        var strict = StateEntryValidator(committed: c.state)
        for (i, e) in block.entries.enumerated() { _ = strict.validate(e, at: i, in: block) }
        #expect(strict.applied(block) == nil)
        let other = try Self.block(c, [try c.proposeEntry(p)], at: c.now + 2_000)
        var recording = StateEntryValidator(committed: c.state, mode: .recordRefusals)
        #expect(recording.validate(other.entries[0], at: 0, in: other) == .accept)
        #expect(recording.applied(other) != nil)
        #expect(recording.applied(block) == nil)
    }
}
