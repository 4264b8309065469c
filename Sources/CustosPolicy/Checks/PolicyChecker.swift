/// The checks a policy must pass before it is accepted, beyond parsing and type checking:
///
/// - **lockout** (error): an approval requirement needing more people than its group has;
///   a governance section under which the organisation could be locked out of changing the
///   policy or lifting a freeze (`CompiledPolicy.governanceLockouts(people:)`: no one could get
///   it approved, or one person could block it alone by rejecting it; a freeze at every time
///   of the week); no governance section at all (policy changes could never be approved).
/// - **never fires** (warning): empty amount ranges, empty time windows, impossible
///   chain/asset/destination combinations, initiator sets nobody is in, conditions that are
///   constantly false, limits that can never hold.
/// - **shadowed** (warning): an allow or require rule whose every request is denied by an
///   unconditional deny rule; **redundant** (warning): an allow rule covered by another.
/// - **unlimited allow** (warning): an allow rule to any destination with no amount bound and
///   no rolling limit.
/// - **single watcher** (warning): a `poisoning` section whose `min_watchers` is 1.
/// - **look-alike entries** (warning): two address-book entries (different addresses) with
///   the same affixes (the look-alike test's first and last hex digits): every request to
///   either is flagged.
/// - **unheld attester** (warning): an onboarding step whose `attested_by` role nobody holds,
///   so nobody can record it. Never an error: a policy is compiled again with the registries
///   whenever a person leaves, and the last holder's offboarding must not fail for it (review
///   helper-117 L6); the nodes refuse a `change-policy`, `revoke-role` or `remove-user` that
///   would cause it.
/// - **unheld role** (warning): a group or the governance section naming a role no person holds,
///   or a rule naming one no principal holds, so it names nobody through it. Never an error, for
///   the same reason as an unheld attester; a `change-policy` is refused for it at proposal,
///   judged with the registries then (`ReplicatedState`), never at execution nor on a recompile.
/// - what rules can cover (`checkCoverage`): deny and require rules that cover transfers only,
///   functions the decoder never reports, allow rules open to any EIP-712 typed data (error),
///   USD clauses on fewer than three price sources (error).
/// The `roles` section's misspelt, unused or unscoped roles are not checked here, on every
/// compile, but by `PolicyValidation` (`custos policy check`) and at `change-policy`
/// (`PolicyDocument.roleSectionFindings`).
enum PolicyChecker {
    static func check(_ policy: CompiledPolicy) -> [PolicyDiagnostic] {
        var out: [PolicyDiagnostic] = []
        checkGroups(policy, &out)
        checkGovernance(policy, &out)
        checkCoverage(policy, &out)
        let poisoning = policy.document.poisoning
        if poisoning.maxStalenessSeconds != nil, poisoning.minWatchers < 2 {
            out.append(.warning(.singleWatcher, at: .start,
                                "poisoning.min_watchers 1: one watcher bot's coverage decides the poisoned test, so a watcher that leaves a dust "
                                    + "transfer out of its reports gets its sender paid; run two watchers and set 2"))
        }
        // Monitoring alerts settle on min_watchers reports too (review helper-127 M2): without a
        // `poisoning` section that is 1, so one watcher raises, and can hide, every alert.
        let monitoring = policy.document.monitoring
        if poisoning.minWatchers < 2, monitoring.alertWithinBlocks != nil {
            out.append(.warning(.singleWatcher, at: .start,
                                "monitoring settles each event and measures its lag on poisoning.min_watchers \(poisoning.minWatchers) watcher report: one "
                                    + "watcher bot raises (and, with alerts.freeze_on, freezes on) an event or a lag nobody else saw, or leaves one out; "
                                    + "run two watchers and set poisoning: {min_watchers: 2} (a poisoning section also holds payments to "
                                    + "counterparties once coverage is older than its max_staleness, 10m unless it says otherwise)"))
        }
        checkLookalikeEntries(policy, &out)
        let held = Set(policy.document.principals.flatMap { $0.roles.map(\.value) })
        let heldByPeople = Set(policy.document.principals.filter { $0.kind == .person }.flatMap { $0.roles.map(\.value) })
        for (role, location, by) in policy.document.rolesNamedOutsidePrincipals where !by.hasPrefix("onboarding step") {
            // Groups and the governance section draw people; a rule's initiator may be a bot.
            let holders = by.hasPrefix("rule ") ? held : heldByPeople
            guard !holders.contains(role) else { continue }
            let hint = NodeReader.closest(role, in: holders.sorted()).map { "did you mean '\($0)'?" } ?? "a misspelling?"
            out.append(.warning(.unheldRole, at: location, "\(by) names role '\(role)' that nobody holds: "
                                    + (by.hasPrefix("group ") ? "the group gains nobody through it" : "it names nobody through it") + " (\(hint))"))
        }
        for step in policy.document.onboarding {
            guard let role = step.attestedBy, !held.contains(role.value) else { continue }
            out.append(.warning(.unheldAttester, at: role.location,
                                "onboarding step '\(step.name)' is attested by role '\(role.value)' that nobody holds: nobody can record it"))
        }
        let footprints = policy.rules.map { Footprint(rule: $0, policy: policy) }
        for (i, rule) in policy.rules.enumerated() where !rule.name.hasPrefix("governance.") {
            if let why = neverFires(rule, footprints[i], policy) {
                out.append(.warning(.neverFires, at: rule.location, "rule '\(rule.name)' can never apply: \(why)"))
                continue
            }
            checkShadowing(i, policy, footprints, &out)
            checkInitiatorExclusion(rule, footprints[i], policy, &out)
            checkUnlimited(rule, policy, &out)
        }
        return out
    }

    /// Each entry that resembles an earlier one (in document order), once: the look-alike test
    /// flags requests to both (`CompiledPolicy.flag`), as one of them may be planted.
    private static func checkLookalikeEntries(_ policy: CompiledPolicy, _ out: inout [PolicyDiagnostic]) {
        let book = policy.document.addressBook
        for (i, entry) in policy.entries.enumerated() {
            guard let r = policy.lookalikes.resemblance(of: entry.address, affixesOnly: true), r.entry < i else { continue }
            let other = policy.entries[r.entry]
            out.append(.warning(.lookalikeEntries, at: i < book.count ? book[i].location : .start,
                                "address book entries '\(other.name)' and '\(entry.name)' look alike (\(r.reason.words)): every request to either is "
                                    + "flagged as a look-alike (request.destination_lookalike), since one of them may be a planted address"))
        }
    }

    // MARK: - Lockout

    private static func checkGroups(_ policy: CompiledPolicy, _ out: inout [PolicyDiagnostic]) {
        for rule in policy.rules {
            guard case .require(let requirement) = rule.effect else { continue }
            var possible = false
            var problems: [String] = []
            for alternative in requirement.alternatives {
                var ok = true
                for term in alternative {
                    let eligible = policy.groupMembers[term.group].members.count
                    if eligible < term.count {
                        ok = false
                        problems.append("group \(policy.groupNames.names[term.group]) has \(eligible) eligible \(eligible == 1 ? "person" : "people") but \(term.count) approvals are required")
                    }
                }
                // Distinct people across the alternative (each fills one slot): an exact
                // matching test with every person approving.
                if ok {
                    let everyone = policy.principals.indices.filter { policy.principals[$0].kind == .person }
                    let single = ApprovalRequirement(alternatives: [alternative])
                    if !single.missing(approvers: everyone, members: policy.groupMembers).satisfied {
                        ok = false
                        let total = alternative.map(\.count).reduce(0, +)
                        problems.append("\(total) distinct approvers are required but the groups cannot supply that many different people")
                    }
                }
                if ok { possible = true }
            }
            if !possible {
                out.append(.error(.lockout, at: rule.location,
                                  "\(rule.name) can never be approved: " + problems.joined(separator: "; ")))
            }
        }
    }

    private static func checkGovernance(_ policy: CompiledPolicy, _ out: inout [PolicyDiagnostic]) {
        guard policy.document.governance != nil || !policy.governanceRules.isEmpty else {
            out.append(.error(.governanceLockout, at: .start,
                              "the policy has no governance section: no future policy change could ever be approved"))
            return
        }
        let location = policy.document.governance?.location ?? .start
        let people = policy.principals.indices.filter { policy.principals[$0].kind == .person }
        for lockout in policy.governanceLockouts(people: people.map { policy.users.names[$0] }) {
            out.append(.error(.governanceLockout, at: location, "the organisation would be locked out: \(lockout)"))
        }
        let freezers = people.filter { p in
            let request = PolicyRequest(
                id: "freeze-check", kind: .governance, initiator: policy.users.names[p], operation: GovernanceOperation(.freeze))
            return policy.evaluate(request, in: StateSnapshot(time: 0)).outcome == .allow
        }
        if freezers.isEmpty {
            out.append(.warning(.lockout, at: location, "no one can freeze signing alone"))
        }
    }

    /// A require rule that some possible initiator could never get approved, because once they
    /// are excluded their groups are too small.
    private static func checkInitiatorExclusion(
        _ rule: CompiledRule, _ f: Footprint, _ policy: CompiledPolicy, _ out: inout [PolicyDiagnostic]
    ) {
        guard case .require(let requirement) = rule.effect else { return }
        let people = policy.principals.indices.filter { policy.principals[$0].kind == .person }
        var stuck: [String] = []
        for initiator in f.users.members where policy.principals[initiator].kind == .person {
            let others = people.filter { $0 != initiator }
            if !requirement.missing(approvers: others, members: policy.groupMembers).satisfied {
                stuck.append(policy.users.names[initiator])
            }
        }
        if !stuck.isEmpty {
            out.append(.warning(.unreachableCount, at: rule.location,
                                "rule '\(rule.name)' can never be approved when initiated by \(stuck.joined(separator: ", ")): without them the groups are too small"))
        }
    }

    // MARK: - Never fires

    /// What a rule can match, as sets over the policy's known names, for comparisons.
    struct Footprint {
        var users: BitSet
        var kinds: UInt8
        var vaults: BitSet?
        var chains: BitSet?
        var assets: BitSet?
        /// Entries the destination clause admits, and whether unknown destinations are admitted.
        var entries: BitSet?
        var unknownDestinations: Bool
        var unconditional: Bool

        init(rule: CompiledRule, policy: CompiledPolicy) {
            users = BitSet(capacity: policy.users.count)
            for (u, p) in policy.principals.enumerated() {
                var ok = true
                if rule.initiatorUsers != nil || rule.initiatorRoles != nil {
                    let hit = (rule.initiatorUsers?.contains(u) ?? false) || (rule.initiatorRoles?.intersects(p.roles) ?? false)
                    ok = hit != rule.initiatorNegated
                }
                if let k = rule.initiatorKind, k != p.kind { ok = false }
                if ok { users.insert(u) }
            }
            kinds = rule.kinds == 0 ? 3 : rule.kinds
            vaults = rule.vaults
            chains = rule.chains
            assets = rule.assets
            unknownDestinations = true
            if let d = rule.destination {
                var set = BitSet(capacity: policy.entries.count)
                for (i, e) in policy.entries.enumerated() {
                    var ok = d.known != false
                    if d.hasSets {
                        ok = ok && (d.entries.contains(i) || d.tags.intersects(e.tags) || d.counterparties.contains(e.counterparty))
                    }
                    if ok { set.insert(i) }
                }
                entries = set
                unknownDestinations = !d.hasSets && d.known != true
            }
            unconditional = rule.condition == nil && rule.within.isEmpty && rule.exceeds.isEmpty && rule.during == nil
                && rule.outside == nil && rule.amountUSD == nil && rule.call == nil && rule.message == nil
        }
    }

    private static func neverFires(_ rule: CompiledRule, _ f: Footprint, _ policy: CompiledPolicy) -> String? {
        if f.users.isEmpty { return "no user or bot can be its initiator" }
        for (name, range) in [("amount", rule.amount), ("amount_usd", rule.amountUSD), ("fee", rule.fee)] {
            if let range, range.isEmpty { return "its \(name) range is empty" }
        }
        for w in [rule.during, rule.outside].compactMap({ $0 }) where w.days.isEmpty {
            return "its time window has no days"
        }
        if let w = rule.outside, w.days.count == 7, w.fromMinute == 0, w.toMinute == 24 * 60 {
            return "its 'outside' window covers the whole week"
        }
        if rule.condition?.isConstantFalse == true { return "its condition is always false" }
        if rule.call != nil, rule.kinds & 2 == 0 { return "it has a call clause but matches only transfers" }
        if !rule.governance, rule.kinds == PolicyCompiler.kindBit(.message) {
            let valueClauses = rule.chains != nil || rule.assets != nil || rule.destination?.hasSets == true
                || rule.destination?.known == true || rule.amount != nil || rule.amountUSD != nil || rule.fee != nil
            if valueClauses { return "it matches only messages, which have no chain, asset, destination, amount or fee" }
        }
        for l in rule.within {
            if policy.limits[l].maxCount == 0 { return "limit \(policy.limits[l].name) allows no transfers at all" }
        }
        if let chains = rule.chains, let assets = rule.assets {
            let possible = policy.document.assets.contains { a in
                assets.contains(policy.assets.lookup(a.symbol)) && a.chains.contains { chains.contains(policy.chains.lookup($0.value)) }
            }
            if !possible { return "none of its assets exists on any of its chains" }
        }
        if let entries = f.entries, !f.unknownDestinations {
            if entries.isEmpty { return "no address book entry matches its destination" }
            if let chains = rule.chains, !entries.members.contains(where: { chains.contains(policy.entries[$0].chain) }) {
                return "none of its destinations is on one of its chains"
            }
        }
        return nil
    }

    // MARK: - Shadowing

    private static func covers(_ s: CompiledRule, _ sf: Footprint, _ r: CompiledRule, _ rf: Footprint) -> Bool {
        guard s.governance == r.governance, sf.unconditional else { return false }
        if s.governance && s.operations != 0 && (r.operations == 0 || r.operations & ~s.operations != 0) { return false }
        guard rf.users.isSubset(of: sf.users), rf.kinds & ~sf.kinds == 0 else { return false }
        for (ss, rs) in [(sf.vaults, rf.vaults), (sf.chains, rf.chains), (sf.assets, rf.assets)] {
            if let ss { guard let rs, rs.isSubset(of: ss) else { return false } }
        }
        if let se = sf.entries {
            guard let re = rf.entries, re.isSubset(of: se), !rf.unknownDestinations || sf.unknownDestinations else { return false }
        }
        for (sr, rr) in [(s.amount, r.amount), (s.fee, r.fee)] {
            if let sr {
                guard let rr, rangeCovers(sr, rr) else { return false }
            }
        }
        return true
    }

    private static func rangeCovers(_ s: CompiledRule.Range, _ r: CompiledRule.Range) -> Bool {
        // Lower bounds: s's must be at most r's.
        if s.over != nil || s.atLeast != nil {
            guard let rl = r.over ?? r.atLeast else { return false }
            if let so = s.over, !(so < rl || (so == rl && r.over != nil)) { return false }
            if let sa = s.atLeast, !(sa <= rl) { return false }
        }
        if s.upTo != nil || s.under != nil {
            guard let rh = r.upTo ?? r.under else { return false }
            if let su = s.upTo, !(su >= rh) { return false }
            if let sn = s.under, !(sn > rh || (sn == rh && r.under != nil)) { return false }
        }
        return true
    }

    private static func checkShadowing(
        _ i: Int, _ policy: CompiledPolicy, _ footprints: [Footprint], _ out: inout [PolicyDiagnostic]
    ) {
        let rule = policy.rules[i]
        for (j, other) in policy.rules.enumerated() where j != i {
            guard covers(other, footprints[j], rule, footprints[i]) else { continue }
            switch (other.effect, rule.effect) {
            case (.deny, .allow), (.deny, .require):
                out.append(.warning(.shadowed, at: rule.location,
                                    "rule '\(rule.name)' never takes effect: every request it matches is denied by rule '\(other.name)'"))
                return
            case (.allow, .allow) where j < i:
                out.append(.warning(.redundant, at: rule.location,
                                    "rule '\(rule.name)' is redundant: rule '\(other.name)' already allows every request it matches"))
                return
            default:
                continue
            }
        }
    }

    private static func checkUnlimited(_ rule: CompiledRule, _ policy: CompiledPolicy, _ out: inout [PolicyDiagnostic]) {
        guard case .allow = rule.effect, !rule.governance else { return }
        if rule.kinds & PolicyCompiler.kindBit(.message) != 0 && rule.message == nil && rule.condition == nil {
            out.append(.warning(.unlimitedAllow, at: rule.location,
                                "rule '\(rule.name)' allows signing any message: it has no message clause and no condition"))
        }
        guard rule.kinds & ~PolicyCompiler.kindBit(.message) != 0 else { return }
        let anyDestination = (rule.destination == nil || rule.destination?.hasSets == false && rule.destination?.known != true)
            && rule.call?.targets == nil
        let bounded = [rule.amount, rule.amountUSD].contains { $0?.upTo != nil || $0?.under != nil }
        if anyDestination && !bounded && rule.within.isEmpty {
            out.append(.warning(.unlimitedAllow, at: rule.location,
                                "rule '\(rule.name)' allows transfers to any destination with no amount bound and no rolling limit"))
        }
    }
}
