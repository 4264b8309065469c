import CustosLedger

extension ReplicatedState {
    /// Routes a `node.restored` entry: the payload decodes and a current member's signature over
    /// it verifies, or only the refusal is recorded (naming the member the entry names). An
    /// accepted one changes no state: what it settles is the restored node's own voting floor,
    /// and that every other node in that member's name stops voting, which each node reads from
    /// the certified block carrying it (`LogFollower.noteRestoration`).
    mutating func applyNodeRestored(_ entry: Entry) -> GovernanceOutcome {
        do {
            let restored = try NodeRestoredEntry(entry)
            let member = try MemberSignature.verifiedSigner(of: entry, members: members, genesisDigest: genesisDigest)
            return .nodeRestored(member: member.id.rawValue, nonce: restored.nonce)
        } catch {
            let node = try? MemberSignature.signer(of: entry).node
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: node?.rawValue, error: error))
            return .refused(error)
        }
    }
}
