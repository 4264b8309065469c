import CustosCore

/// The places (height, round) at which the original of a node restored from a backup may have
/// voted, learned from the other members' signed statements (`VotingRecordStatement`) without a
/// vote of the restored node: every height up to `committed`, and at each height of `rounds`
/// the rounds up to the one it names. The restored node votes nowhere else than outside them
/// (`allowsVoting`), and gives up a round at a height of `rounds` only with the listing below.
///
/// ## How many statements, and why the floor covers every vote of the original
///
/// With n members, f = ⌊(n−1)/3⌋ and q = ⌈(n+f+1)/2⌉, the floor needs statements from
/// k = n − q + 1 distinct members other than the restored node (at n = 4: two). Every
/// statement carries the restore's nonce, so it was made after the restore began; the original
/// O is assumed stopped by then (a copy that keeps running is the case `node.restored` settles:
/// every copy but the restored one halts once it commits). Let c be the highest head stated;
/// heights up to c are committed, and the restored node, which votes only above its own head,
/// votes at none of them. Above c, O voted at a place only in one of two ways, and each leaves a
/// trace at a quorum:
///
/// - at (h, 0): O had committed h − 1, so h − 1 has a certificate of q votes, at least q − 1 of
///   them by members other than O. Those q − 1 and the k stating members are all among the
///   n − 1 others, so they share at least (q − 1) + k − (n − 1) = 1 member. It voted at h − 1,
///   so it states a head or a vote at a height ≥ h − 1: h is at most one above the highest head
///   or vote stated, and `rounds` holds every such height.
/// - at (h, r > 0): O held a round-change certificate for round r − 1 at h (rule 3 of
///   `NodeConsensus`, "Rounds"): q round changes, at least q − 1 by others, again sharing a
///   member with the k. That member gave up round r − 1 at h, and no round at a later height
///   (that would put its head at h, and h ≤ c), so its last round change — the one it states —
///   is at h for a round ≥ r − 1: `rounds[h]` is at least r.
///
/// So the floor covers every place O could have voted at, provided the one shared member told
/// the truth. A member that understates can uncover a place, and k statements tolerate no such
/// member; k + u tolerate u, since the k honest ones among them still share a member with every
/// quorum. So the floor asks for k + f statements (at n = 4: three, every other member), as the
/// log tolerates f faulty members everywhere else (review helper-124 H1). Only an operator who
/// states that they trust the stating members (`trustingStatingMembers`) gets a floor from k:
/// at n = 4 with two nodes lost only two members are left to ask, so restoring two lost nodes
/// at once trusts the two left. (The listing below asks for as many.)
///
/// A member that overstates costs liveness, not safety: the floor only grows. The certificate
/// bounds it: a statement must carry a valid certificate of its head, and a vote or round
/// change above that head + 1 is refused (an honest member votes only at its head + 1), so the
/// floor reaches at most two heights past a block a quorum really certified. The round at those
/// heights is not bounded: a corrupt member claiming a huge round keeps the restored node from
/// voting at that height, which then commits without it or not at all.
///
/// ## Round changes at the heights of `rounds`
///
/// The floor alone does not bring back a quorum that needs the restored node: at a height of
/// `rounds` the rounds it covers are stuck, and leaving them needs a round change of the
/// restored node, which must list every block O voted for at that height — unknown. `listing`
/// replaces that list with the union of the blocks listed by round changes of k other members
/// for a round ≥ r at that height over the same head. Those members promised to vote in no
/// round ≤ r any more, and a block certified in a round ≤ r holds q votes, at most m of them
/// by the m nodes being restored (m < q), so at least one by a member outside them; with k of
/// the n − m members outside, at most n − m − k = q − m − 1 of those are not among the k, so
/// one of the k voted for it and the union holds it. Listing it too, the restored node counts
/// as one more member that voted for it, and a round-change certificate leaves it out only if
/// more than n + f − q of its signers do (`RoundChangeCertificate`): at most n − q of the
/// members outside the m did not vote for it. Extra blocks in the union (ones O never voted
/// for) can keep a round from choosing (`.nothing`), never let it choose a second block.
public struct RestorationFloor: Sendable, Hashable {
    /// Every height up to this one is covered, in every round.
    public let committed: UInt64
    /// Above `committed`: each height O may have voted at, with the highest round it may have
    /// voted in there.
    public let rounds: [UInt64: UInt32]

    public init(committed: UInt64, rounds: [UInt64: UInt32]) {
        self.committed = committed
        self.rounds = rounds.filter { $0.key > committed }
    }

    /// Whether the restored node may vote at (`height`, `round`): a place the floor does not cover.
    public func allowsVoting(height: UInt64, round: UInt32) -> Bool {
        height > committed && rounds[height].map { round > $0 } ?? true
    }

    /// How many statements of distinct members (other than the restored node) the floor needs:
    /// n − q + 1 + f, or n − q + 1 when the operator trusts the stating members.
    public static func statementsNeeded(in configuration: ClusterConfiguration, trustingStatingMembers: Bool = false) -> Int {
        configuration.n - configuration.quorum + 1 + (trustingStatingMembers ? 0 : configuration.f)
    }

    /// The floor from `statements` about the restore of `restored` that drew `nonce`: each is
    /// verified (`VotingRecordStatement.verify`) and one that fails counts for nothing (the
    /// gateway that carries them cannot block a floor by adding forgeries). Refused
    /// (`insufficientVotes`, naming the first statement refused) with fewer than
    /// `statementsNeeded` distinct members' statements left.
    public init(restored: NodeID, nonce: [UInt8], statements: [VotingRecordStatement],
                configuration: ClusterConfiguration, trustingStatingMembers: Bool = false) throws(LedgerError) {
        let valid = try Self.verified(statements, restored: restored, nonce: nonce, configuration: configuration, what: "a floor",
                                      needed: Self.statementsNeeded(in: configuration, trustingStatingMembers: trustingStatingMembers))
        let committed = valid.map(\.head).max() ?? 0
        let top = valid.map { max($0.head, $0.lastVote?.height ?? 0) }.max().map { $0 + 1 } ?? 1
        var rounds: [UInt64: UInt32] = [:]
        for height in (committed + 1)...max(committed + 1, top) { rounds[height] = 0 }
        for change in valid.compactMap(\.roundChange) where change.height > committed {
            rounds[change.height] = max(rounds[change.height] ?? 0, change.round == .max ? .max : change.round + 1)
        }
        self.init(committed: committed, rounds: rounds)
    }

    /// The blocks the restored node lists when it gives up `round` at `height` over the head
    /// `previousHash` (besides the ones it voted for itself): the union of the blocks listed by
    /// the verified statements' round changes at that very height and head for a round ≥ `round`.
    /// Refused (`insufficientVotes`) unless `statementsNeeded` distinct members' statements carry
    /// one — then the restored node waits, and asks again — and (`limitExceeded`) when the union
    /// holds more blocks than a round change lists.
    public static func listing(height: UInt64, round: UInt32, previousHash: LedgerHash, restored: NodeID, nonce: [UInt8],
                               statements: [VotingRecordStatement], configuration: ClusterConfiguration,
                               trustingStatingMembers: Bool = false) throws(LedgerError) -> [LedgerHash] {
        let promising = statements.filter { statement in
            guard let change = statement.roundChange else { return false }
            return change.height == height && change.previousHash == previousHash && change.round >= round
        }
        let valid = try verified(promising, restored: restored, nonce: nonce, configuration: configuration,
                                 what: "a listing at height \(height) round \(round) (round changes there for a round ≥ \(round))",
                                 needed: statementsNeeded(in: configuration, trustingStatingMembers: trustingStatingMembers))
        let blocks = Set(valid.flatMap { $0.roundChange?.votedBlocks ?? [] })
        guard blocks.count <= RoundChange.maximumVotedBlocks else {
            throw LedgerError(.limitExceeded, "a listing at height \(height) of \(blocks.count) blocks; a round change lists at most \(RoundChange.maximumVotedBlocks)")
        }
        return blocks.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
    }

    /// The statements that verify; refused unless they come from `statementsNeeded` distinct
    /// members (two by one member both count toward the floor, once toward the number).
    private static func verified(_ statements: [VotingRecordStatement], restored: NodeID, nonce: [UInt8],
                                 configuration: ClusterConfiguration, what: String, needed: Int) throws(LedgerError) -> [VotingRecordStatement] {
        var valid: [VotingRecordStatement] = []
        var firstRefusal: LedgerError?
        for statement in statements {
            do {
                try statement.verify(restored: restored, nonce: nonce, in: configuration)
                valid.append(statement)
            } catch {
                firstRefusal = firstRefusal ?? error
            }
        }
        let members = Set(valid.map(\.member)).count
        guard members >= needed else {
            throw LedgerError(.insufficientVotes,
                              "\(what) needs voting records from \(needed) members other than \(restored); \(members) verified"
                                  + (firstRefusal.map { " (refused: \($0.reason))" } ?? ""),
                              culprit: firstRefusal?.culprit)
        }
        return valid
    }
}
