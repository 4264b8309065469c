import CustosCore
import CustosPolicy

extension ReplicatedState {
    /// Longest grant and review period: ten years.
    static let maximumGrantDays: UInt32 = 3_660

    /// Every role of every active person, as `"user role"`, sorted: what an access review lists.
    public var roleGrants: [String] {
        users.keys.sorted().filter { users[$0]!.active }.flatMap { id in users[id]!.roles.map { "\(id) \($0)" } }
    }

    /// `grant-role`: the role for `days` days from now; renews an expiring grant of it.
    mutating func grantRole(user u: GovernedUser, role: String, days: UInt32) throws(GovernanceError) {
        try Self.checkRole(role)
        try Self.checkGrantDays(days, zeroAllowed: false)
        if u.roles.contains(role) && u.roleExpiry[role] == nil {
            throw GovernanceError(.invalidChange, "\(u.id) already has role \"\(role)\" without expiry")
        }
        if !u.roles.contains(role) { users[u.id]!.roles = (u.roles + [role]).sorted() }
        users[u.id]!.roleExpiry[role] = time + UInt64(days) * 86_400_000
        noteRegranted(user: u.id, role: role)
    }

    /// `review-access`: `confirmed` and `revoked` together name every current grant exactly once.
    mutating func reviewAccess(confirmed: [String], revoked: [String], days: UInt32) throws(GovernanceError) {
        try Self.checkGrantDays(days, zeroAllowed: true)
        let current = Set(roleGrants)
        let named = confirmed + revoked
        let repeated = Set(named.filter { g in named.filter { $0 == g }.count > 1 })
        let unknown = Set(named).subtracting(current)
        let missing = current.subtracting(named)
        guard repeated.isEmpty, unknown.isEmpty, missing.isEmpty else {
            var problems: [String] = []
            if !missing.isEmpty { problems.append("it leaves out \(missing.sorted().joined(separator: ", "))") }
            if !unknown.isEmpty { problems.append("no such grant: \(unknown.sorted().map { $0.printable(limit: 140) }.joined(separator: ", "))") }
            if !repeated.isEmpty { problems.append("named twice: \(repeated.sorted().joined(separator: ", "))") }
            throw GovernanceError(.invalidChange, "an access review names every current grant exactly once: " + problems.joined(separator: "; "))
        }
        for grant in revoked {
            let (id, role) = Self.split(grant)
            users[id]!.roles.removeAll { $0 == role }
            users[id]!.roleExpiry[role] = nil
        }
        for grant in confirmed {
            let (id, role) = Self.split(grant)
            users[id]!.roleExpiry[role] = days == 0 ? nil : time + UInt64(days) * 86_400_000
        }
    }

    /// Removes every role whose grant ran out by the state's time, on every node at the same
    /// block, and recompiles the policy in force without them.
    mutating func lapseGrants() {
        guard users.values.contains(where: { u in u.roleExpiry.values.contains { $0 <= time } }) else { return }
        for id in users.keys.sorted() {
            let lapsed = users[id]!.roleExpiry.filter { $0.value <= time }.keys
            for role in lapsed {
                users[id]!.roles.removeAll { $0 == role }
                users[id]!.roleExpiry[role] = nil
            }
        }
        recompileAfterLapse()
    }

    /// The policy in force compiled again after grants lapsed. Every change that left grants
    /// expiring or awaiting a review's confirmation checked that governance survives their lapse
    /// (`checkGovernableWithoutExpiringGrants`), so this compiles; should it not, the policy
    /// still loses the lapsed roles, unchecked.
    mutating func recompileAfterLapse() {
        if let compiled = try? Self.compile(document, users: users, bots: bots) {
            policy = compiled
        } else if let compiled = try? Self.compiledWithRegistries(document, users: users, bots: bots) {
            policy = compiled
        }
    }

    /// Refuses a change after which governance would depend on a grant that will lapse: the
    /// policy must still compile and be governable with every expiring grant gone, and every
    /// grant the open access review has not re-confirmed.
    func checkGovernableWithoutExpiringGrants() throws(GovernanceError) {
        let unconfirmed = accessReview.map { $0.isOpen ? $0.unconfirmed : [] } ?? []
        guard users.values.contains(where: { !$0.roleExpiry.isEmpty }) || !unconfirmed.isEmpty else { return }
        var lapsed = users
        for (id, u) in users where !u.roleExpiry.isEmpty {
            lapsed[id]!.roles.removeAll { u.roleExpiry[$0] != nil }
        }
        for grant in unconfirmed {
            let (id, role) = Self.split(grant)
            lapsed[id]?.roles.removeAll { $0 == role }
        }
        do { _ = try Self.compile(document, users: lapsed, bots: bots) } catch {
            throw GovernanceError(error.code, "once the expiring grants lapse: \(error.reason)")
        }
    }

    static func checkGrantDays(_ days: UInt32, zeroAllowed: Bool) throws(GovernanceError) {
        guard (zeroAllowed ? 0 : 1)...maximumGrantDays ~= days else {
            throw GovernanceError(.invalidChange, "a grant runs \(zeroAllowed ? 0 : 1) to \(maximumGrantDays) days, not \(days)")
        }
    }

    static func split(_ grant: String) -> (user: String, role: String) {
        let parts = grant.split(separator: " ", maxSplits: 1)
        return (String(parts[0]), String(parts[1]))
    }
}
