import CustosCore
import CustosLedger

extension ReplicatedState {
    /// Routes a `node.restored` entry: the payload decodes, a current member's signature over it
    /// verifies and that member's nonce was not accepted before, or only the refusal is recorded
    /// (naming the member the entry names). An accepted one is remembered (`restorations`), so
    /// a gateway replaying an earlier restore's entry cannot make the member's current copy
    /// halt as "restored elsewhere"; what it settles is the restored node's own voting floor,
    /// and that every other node in that member's name stops voting, which each node reads from
    /// the certified block carrying it (`LogFollower.noteRestoration`).
    mutating func applyNodeRestored(_ entry: Entry) -> GovernanceOutcome {
        do throws(GovernanceError) {
            let restored = try NodeRestoredEntry(entry)
            let member = try MemberSignature.verifiedSigner(of: entry, members: members, genesisDigest: genesisDigest)
            let key = member.id.rawValue + "/" + restored.nonce.hexString
            guard restorations.insert(key).inserted else {
                throw GovernanceError(.invalidChange, "this node.restored entry of \(member.id.rawValue) was accepted before (a replay): it settles nothing again")
            }
            return .nodeRestored(member: member.id.rawValue, nonce: restored.nonce)
        } catch {
            let node = try? MemberSignature.signer(of: entry).node
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: node?.rawValue, error: error))
            return .refused(error)
        }
    }
}
