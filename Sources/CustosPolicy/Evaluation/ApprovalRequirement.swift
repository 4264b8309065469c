/// An approval requirement in disjunctive normal form: satisfied when, for at least one
/// alternative, distinct eligible approvers can fill every (group, count) slot. The initiator
/// never counts, bots never count, and each person fills at most one slot of an alternative,
/// so "2 of treasury AND 1 of security" always means three different people.
struct ApprovalRequirement: Sendable, Hashable {
    struct Term: Sendable, Hashable {
        let group: Int
        let count: Int
    }

    /// Alternatives (any), each a conjunction of terms (all).
    let alternatives: [[Term]]
    /// How long a request this requirement holds may wait for its approvals, in seconds.
    var expirySeconds = PolicyDecision.defaultApprovalExpirySeconds

    static let maxAlternatives = 16
    /// Most approvals one alternative may need, which bounds the matching's cost.
    static let maxSlots = 64

    /// Flattens a document requirement; nil when it would need more than `maxAlternatives`
    /// alternatives or an alternative more than `maxSlots` approvals.
    static func normalize(_ r: PolicyDocument.Requirement, groupIndex: (String) -> Int) -> [[Term]]? {
        switch r {
        case .group(let name, let count):
            return count <= maxSlots ? [[Term(group: groupIndex(name.value), count: count)]] : nil
        case .any(let children):
            var result: [[Term]] = []
            for child in children {
                guard let alternatives = normalize(child, groupIndex: groupIndex) else { return nil }
                result += alternatives
                if result.count > maxAlternatives { return nil }
            }
            return result
        case .all(let children):
            var result: [[Term]] = [[]]
            for child in children {
                guard let alternatives = normalize(child, groupIndex: groupIndex) else { return nil }
                var next: [[Term]] = []
                for prefix in result {
                    for alternative in alternatives {
                        let merged = prefix + alternative
                        if merged.map(\.count).reduce(0, +) > maxSlots { return nil }
                        next.append(merged)
                    }
                }
                if next.count > maxAlternatives { return nil }
                result = next
            }
            return result
        }
    }

    /// The number of slots each group still needs in the alternative closest to being met,
    /// empty when the requirement is met. `approvers` are distinct, eligible person indices.
    func missing(approvers: [Int], members: [BitSet]) -> (satisfied: Bool, missing: [Term]) {
        var best: [Term]?
        var bestCount = Int.max
        for alternative in alternatives {
            let (filled, perTerm) = Self.assign(alternative, approvers: approvers, members: members)
            let needed = alternative.map(\.count).reduce(0, +) - filled
            if needed == 0 { return (true, []) }
            if needed < bestCount {
                bestCount = needed
                best = zip(alternative, perTerm).compactMap { term, got in
                    got < term.count ? Term(group: term.group, count: term.count - got) : nil
                }
            }
        }
        return (false, best ?? [])
    }

    /// Maximum bipartite matching of approvers to slots (augmenting paths; slots ≤ 16 × 64).
    private static func assign(_ terms: [Term], approvers: [Int], members: [BitSet]) -> (Int, [Int]) {
        var slotTerm: [Int] = []
        for (t, term) in terms.enumerated() { slotTerm += Array(repeating: t, count: term.count) }
        var slotOwner = Array(repeating: -1, count: slotTerm.count)  // index into approvers
        func tryAssign(_ a: Int, _ visited: inout [Bool]) -> Bool {
            for s in slotTerm.indices where !visited[s] && members[terms[slotTerm[s]].group].contains(approvers[a]) {
                visited[s] = true
                if slotOwner[s] == -1 || tryAssign(slotOwner[s], &visited) {
                    slotOwner[s] = a
                    return true
                }
            }
            return false
        }
        var filled = 0
        for a in approvers.indices {
            var visited = Array(repeating: false, count: slotTerm.count)
            if tryAssign(a, &visited) { filled += 1 }
            if filled == slotTerm.count { break }
        }
        var perTerm = Array(repeating: 0, count: terms.count)
        for (s, owner) in slotOwner.enumerated() where owner >= 0 { perTerm[slotTerm[s]] += 1 }
        return (filled, perTerm)
    }
}
