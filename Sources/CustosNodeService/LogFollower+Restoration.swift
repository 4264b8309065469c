import CustosCore
import CustosLedger
import CustosNode
import CustosState
import Foundation
import Logging

extension LogFollower {
    /// How long this node waits before it submits its `node.restored` entry again after a failure.
    static let restorationResend: Duration = .seconds(5)

    /// Whether this node may vote (or give up a round) at (`height`, `round`): always, unless it
    /// was restored from a backup and its floor is not below that place.
    /// `NodeDatabase.recordVote` enforces the same; this keeps the node from deciding at all.
    func mayVote(at height: UInt64, round: UInt32) -> Bool {
        restoredElsewhere == nil && restoration?.allowsVoting(at: height, round: round) ?? true
    }

    /// Submits this node's `node.restored` entry — its restore's nonce, signed with its identity
    /// key — once per restore: until a gateway accepts it (recorded durably, so a restart does
    /// not submit it again), at most every `restorationResend`. A failure is logged and retried
    /// at a later step. A copy committed twice changes nothing (`noteRestoration`).
    func announceRestorationIfDue() async {
        guard let restoration, restoration.entryHeight == nil, !restoration.announced else { return }
        if let last = restorationAnnounced, ContinuousClock.now - last < Self.restorationResend { return }
        restorationAnnounced = .now
        do {
            let entry = try NodeRestoredEntry(nonce: restoration.nonce).entry(signedBy: consensus.identity, genesisDigest: governance.genesisDigest)
            let receipt = try await gateway.submit(entry)
            try votes.markRestorationAnnounced(nonce: restoration.nonce)
            self.restoration = try votes.restoration()
            logger.notice("restored from a backup: announced", metadata: ["receipt": "\(receipt.printable(limit: 128))"])
        } catch {
            logger.warning("announcing the restore failed; retrying", metadata: ["error": "\("\(error)".printable(limit: 512))"])
        }
    }

    /// Reads a certified block's outcomes at `height` for `node.restored` entries in this node's
    /// name. Its own, with its restore's nonce: `height` is recorded (durably) as where it
    /// committed and as a floor (kept if one learned before leaves more free). Another one, in a
    /// node that was never restored, or restored and its own entry committed before: its
    /// identity was restored elsewhere, and it halts for good, voting no more
    /// (`haltRestoredElsewhere`). Another one while its own has not committed lifts nothing: an
    /// entry of an earlier restore, replayed, looks the same as one of a copy.
    func noteRestoration(_ outcomes: [GovernanceOutcome], height: UInt64) throws {
        let me = consensus.identity.id.rawValue
        for case let .nodeRestored(member, nonce) in outcomes where member == me {
            guard let pending = restoration else {
                try haltRestoredElsewhere(height: height)
                return
            }
            if pending.nonce != nonce, pending.entryHeight != nil {
                try haltRestoredElsewhere(height: height)
                return
            }
            guard pending.entryHeight == nil else { continue }
            guard nonce == pending.nonce else {
                logger.warning("a node.restored entry of an earlier restore of this node committed; it does not let this node vote",
                               metadata: ["height": "\(height)"])
                continue
            }
            try votes.liftRestorationFloor(nonce: nonce, to: height)
            restoration = try votes.restoration()
            logger.notice("restored node: its node.restored entry committed; it votes again above this height", metadata: ["height": "\(height)"])
            return
        }
    }

    /// Records, durably, that this node's identity was restored elsewhere at `height`
    /// (`SigningHaltRecord.Cause.restoredElsewhere`): it signs and votes no more.
    func haltRestoredElsewhere(height: UInt64) throws {
        guard restoredElsewhere == nil else { return }
        let record = SigningHaltRecord(cause: .restoredElsewhere, height: height, since: UInt64(Date().timeIntervalSince1970 * 1000),
                                       reason: SigningHaltRecord.restoredElsewhereReason(height: height), evidence: [])
        if let halt { try halt.halt(record) } else { try votes.record(halt: record) }
        restoredElsewhere = height
        logger.critical("\(record.reason)", metadata: ["height": "\(height)"])
    }

    /// This member's voting record for the restore of `restored` that drew `nonce`
    /// (`VotingRecordStatement`): its committed head's certificate, its last vote and its last
    /// round change, signed. Refused while this node is itself restored and its own
    /// `node.restored` entry has not committed: its record lacks its original's votes.
    func votingRecord(restored: NodeID, nonce: [UInt8]) throws -> VotingRecordStatement {
        if let restoration, restoration.entryHeight == nil {
            throw StorageError(.restoredNotVoting, "this node was restored from a backup and vouches for no voting until its node.restored entry commits")
        }
        let record = try votes.votingRecord()
        return VotingRecordStatement(signing: restored, nonce: nonce, certificate: try chain.headCertificate(),
                                     lastVote: record.lastVote.map { .init(height: $0.height, round: $0.round) },
                                     roundChange: try record.lastRoundChange.map { try RoundChange(serialized: $0) },
                                     genesisDigest: consensus.configuration.genesisDigest, identity: consensus.identity)
    }

    /// Takes the other members' voting records about this node's restore: the floor they give
    /// (`RestorationFloor`) is recorded durably (one recorded before that leaves more places
    /// free is kept), and they are kept for the listing of round changes where its original may
    /// have voted. Refused (nothing changed) when this node was not restored or too few of them
    /// verify: n − q + 1 + f members' records, or n − q + 1 when the operator states that they
    /// trust the stating members (`trustingStatingMembers`; two of four nodes lost at once).
    func adopt(votingRecords statements: [VotingRecordStatement], trustingStatingMembers: Bool = false) throws {
        guard let pending = restoration else { throw StorageError(.invalidInput, "this node was not restored from a backup") }
        let floor = try RestorationFloor(restored: consensus.identity.id, nonce: pending.nonce, statements: statements,
                                         configuration: consensus.configuration, trustingStatingMembers: trustingStatingMembers)
        try votes.liftRestorationFloor(nonce: pending.nonce, committed: floor.committed, rounds: floor.rounds)
        restoration = try votes.restoration()
        votingRecords = statements
        votingRecordsTrusted = trustingStatingMembers
        logger.notice("restored node: the other members' voting records set where its original may have voted",
                      metadata: ["committed": "\(floor.committed)", "rounds": "\(floor.rounds.sorted { $0.key < $1.key })"])
    }

    /// What this node lists, besides its own votes, when it gives up `round` at `height`: nothing
    /// unless it was restored and its original may have voted there, then the listing the
    /// voting records it holds allow (`RestorationFloor.listing`). Nil when it may not give the
    /// round up (yet): a height up to its floor, no floor yet, records that do not cover it.
    func restorationListing(height: UInt64, round: UInt32) -> [LedgerHash]? {
        guard let restoration else { return [] }
        guard let floor = restoration.floor, height > floor else { return nil }
        guard restoration.needsListing(at: height) else { return [] }
        do {
            return try RestorationFloor.listing(height: height, round: round, previousHash: consensus.head.hash,
                                                restored: consensus.identity.id, nonce: restoration.nonce,
                                                statements: votingRecords, configuration: consensus.configuration,
                                                trustingStatingMembers: votingRecordsTrusted)
        } catch {
            logger.notice("not giving up the round: the voting records held do not cover it",
                          metadata: ["height": "\(height)", "round": "\(round)", "reason": "\(error.reason.printable(limit: 512))"])
            return nil
        }
    }
}
