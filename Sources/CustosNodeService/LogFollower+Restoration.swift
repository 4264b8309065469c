import CustosCore
import CustosLedger
import CustosNode
import CustosState
import Foundation
import Logging

extension LogFollower {
    /// How long this node waits for its `node.restored` entry to commit before it submits it again.
    static let restorationResend: Duration = .seconds(5)

    /// Whether this node may vote (or give up a round) at `height`: always, unless it was restored
    /// from a backup and its `node.restored` entry has not committed below `height`.
    /// `NodeDatabase.recordVote` enforces the same; this keeps the node from deciding at all.
    func mayVote(at height: UInt64) -> Bool {
        restoration?.allowsVoting(at: height) ?? true
    }

    /// Submits this node's `node.restored` entry — its restore's nonce, signed with its identity
    /// key — while it is restored and the entry has not committed, at most every
    /// `restorationResend`. A failure is logged and retried at the next step.
    func announceRestorationIfDue() async {
        guard let restoration, restoration.floor == nil else { return }
        if let last = restorationAnnounced, ContinuousClock.now - last < Self.restorationResend { return }
        restorationAnnounced = .now
        do {
            let entry = try NodeRestoredEntry(nonce: restoration.nonce).entry(signedBy: consensus.identity, genesisDigest: governance.genesisDigest)
            let receipt = try await gateway.submit(entry)
            logger.notice("restored from a backup: announced; votes again above the height this entry commits at",
                          metadata: ["receipt": "\(receipt.printable(limit: 128))"])
        } catch {
            logger.warning("announcing the restore failed; retrying", metadata: ["error": "\("\(error)".printable(limit: 512))"])
        }
    }

    /// Reads a certified block's outcomes at `height` for this node's own `node.restored` entry
    /// with its restore's nonce, and records `height` as its floor (durably) when it finds one.
    /// An entry of this node with another nonce — one of an earlier restore, replayed — lifts
    /// nothing.
    func noteRestoration(_ outcomes: [GovernanceOutcome], height: UInt64) throws {
        guard let pending = restoration, pending.floor == nil else { return }
        let me = consensus.identity.id.rawValue
        for case let .nodeRestored(member, nonce) in outcomes where member == me {
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
}
