import CustosCore

extension ReplicatedState {
    /// Longest time an access review stays open: 90 days.
    static let maximumReviewDays: UInt32 = 90

    /// `open-access-review`: lists every current grant, to be re-confirmed by `deadlineDays`
    /// days from now; `confirmed` are re-confirmed at once (for `days` more days, 0: without
    /// expiry), as `confirm-access` would. Refused while another review is open.
    mutating func openAccessReview(id: String, deadlineDays: UInt32, confirmed: [String], days: UInt32) throws(GovernanceError) {
        if let open = accessReview, open.isOpen {
            throw GovernanceError(.invalidChange, "access review \(open.id) is open until \(open.deadline) ms; one review at a time")
        }
        guard (1...Self.maximumReviewDays) ~= deadlineDays else {
            throw GovernanceError(.invalidChange, "an access review stays open 1 to \(Self.maximumReviewDays) days, not \(deadlineDays)")
        }
        accessReview = AccessReview(
            id: id, openedAt: time, deadline: time + UInt64(deadlineDays) * 86_400_000, grants: roleGrants, confirmed: [], lapsed: nil)
        if !confirmed.isEmpty { try confirmAccess(review: id, grants: confirmed, days: days) }
    }

    /// `confirm-access`: re-confirms `grants` of the open review `review`, each for `days` more
    /// days (0: without expiry). Each must be a grant the review lists, not re-confirmed yet and
    /// still held.
    mutating func confirmAccess(review: String, grants: [String], days: UInt32) throws(GovernanceError) {
        guard let open = accessReview, open.isOpen, open.id == review else {
            throw GovernanceError(.invalidChange, "no access review \"\(review.printable(limit: 64))\" is open"
                + (accessReview.map { $0.isOpen ? " (\($0.id) is)" : "" } ?? ""))
        }
        try Self.checkGrantDays(days, zeroAllowed: true)
        guard !grants.isEmpty else { throw GovernanceError(.invalidChange, "a confirmation names at least one grant") }
        let held = Set(roleGrants)
        var problems: [String] = []
        let repeated = Set(grants.filter { g in grants.filter { $0 == g }.count > 1 })
        if !repeated.isEmpty { problems.append("named twice: \(repeated.sorted().joined(separator: ", "))") }
        let unlisted = grants.filter { !open.grants.contains($0) }
        if !unlisted.isEmpty { problems.append("not a grant of the review: \(unlisted.map { $0.printable(limit: 140) }.joined(separator: ", "))") }
        let again = grants.filter { open.confirmed.contains($0) }
        if !again.isEmpty { problems.append("already re-confirmed: \(again.joined(separator: ", "))") }
        let gone = grants.filter { open.grants.contains($0) && !held.contains($0) }
        if !gone.isEmpty { problems.append("no longer held: \(gone.joined(separator: ", "))") }
        guard problems.isEmpty else {
            throw GovernanceError(.invalidChange, "access review \(review) cannot re-confirm these grants: " + problems.joined(separator: "; "))
        }
        for grant in grants {
            let (id, role) = Self.split(grant)
            users[id]!.roleExpiry[role] = days == 0 ? nil : time + UInt64(days) * 86_400_000
        }
        accessReview!.confirmed = (open.confirmed + grants).sorted()
    }

    /// A grant the open review lists that the quorum gave again (`assign-role`, `grant-role`)
    /// counts as re-confirmed: it does not lapse at the deadline.
    mutating func noteRegranted(user: String, role: String) {
        guard let open = accessReview, open.isOpen else { return }
        let grant = "\(user) \(role)"
        if open.grants.contains(grant) && !open.confirmed.contains(grant) { accessReview!.confirmed = (open.confirmed + [grant]).sorted() }
    }

    /// At the open review's deadline (block time), every grant it lists that was not
    /// re-confirmed and is still held lapses, on every node at the same block; the review
    /// closes with what lapsed.
    mutating func closeAccessReview() {
        guard let open = accessReview, open.isOpen, open.deadline <= time else { return }
        let held = Set(roleGrants)
        let lapsed = open.unconfirmed.filter(held.contains)
        for grant in lapsed {
            let (id, role) = Self.split(grant)
            users[id]!.roles.removeAll { $0 == role }
            users[id]!.roleExpiry[role] = nil
        }
        accessReview!.lapsed = lapsed
        if !lapsed.isEmpty { recompileAfterLapse() }
    }
}
