/// The governance policy (DESIGN.md, Policy: Governance) compiled into ordinary rules, so that
/// the same engine, with the same precedence and fail-closed behaviour, decides operations on
/// users, credentials, roles, policies, address books and vaults.
extension PolicyCompiler {
    /// The bit of an operation in `CompiledRule.operations`: its place in `allCases`.
    static func operationBit(_ action: GovernanceOperation.Action) -> UInt32 { UInt32(1) << UInt32(position(of: action)) }

    /// `action`'s place in `GovernanceOperation.Action.allCases` (a test holds the two to each
    /// other), by a switch: rule matching asks for it per rule and per governance decision (the
    /// lockout check makes thousands), and a dictionary keyed by the action hashes its raw value,
    /// a string, each time.
    static func position(of action: GovernanceOperation.Action) -> Int {
        switch action {
        case .addUser: 0
        case .removeUser: 1
        case .addCredential: 2
        case .revokeCredential: 3
        case .assignRole: 4
        case .revokeRole: 5
        case .changePolicy: 6
        case .changeAddressBook: 7
        case .createVault: 8
        case .changeVault: 9
        case .freeze: 10
        case .unfreeze: 11
        case .addBot: 12
        case .removeBot: 13
        case .rotateBotKey: 14
        case .changeMembership: 15
        case .reviewAccess: 16
        }
    }

    /// Governance becomes ordinary rules of the same engine: `governance.freeze` (security
    /// officers may freeze alone), `governance.proposers` (proposers may propose any
    /// operation; nobody else may), `governance.freeze-by-others` (a freeze proposed by anyone
    /// but a security officer needs the quorum) and one `governance.<operation>` require rule
    /// per other operation (the quorum, or the operation's own requirement).
    mutating func compileGovernance(_ g: PolicyDocument.Governance) {
        let freezeRoles = resolve(g.freezeRoles, in: parts.roles, what: "role", rule: "governance.freeze")
        let proposerUsers = resolve(g.proposerUsers, in: parts.users, what: "user", rule: "governance.proposers")
        let proposerRoles = resolve(g.proposerRoles, in: parts.roles, what: "role", rule: "governance.proposers")
        if g.proposerUsers.isEmpty && g.proposerRoles.isEmpty {
            error(.missingField, g.location, "governance.proposers names nobody")
        }
        checkTimelocks(g)
        guard let quorum = requirement(g.quorum, at: g.location, rule: "governance quorum") else { return }
        let all = GovernanceOperation.Action.allCases
        func rule(
            _ name: String, _ effect: CompiledRule.Effect, users: BitSet?, roles: BitSet?, negated: Bool,
            kind: PolicyDocument.Principal.Kind?, operations: UInt32, location: SourceLocation? = nil
        ) -> CompiledRule {
            CompiledRule(
                name: name, index: parts.rules.count, effect: effect, location: location ?? g.location, governance: true, kinds: 0,
                initiatorUsers: users, initiatorRoles: roles, initiatorKind: kind, initiatorNegated: negated, vaults: nil,
                chains: nil, assets: nil, destination: nil, amount: nil, amountUSD: nil, fee: nil, call: nil, during: nil,
                outside: nil, within: [], exceeds: [], operations: operations, condition: nil, conditionSource: nil)
        }
        let freezeBit = Self.operationBit(.freeze)
        let allBits = UInt32((1 << all.count) - 1)
        parts.rules.append(rule(
            "governance.freeze", .allow, users: nil, roles: freezeRoles, negated: false, kind: .person, operations: freezeBit))
        parts.rules.append(rule(
            "governance.proposers", .allow, users: proposerUsers ?? BitSet(capacity: 0),
            roles: proposerRoles ?? BitSet(capacity: 0), negated: false, kind: .person, operations: allBits))
        parts.rules.append(rule(
            "governance.freeze-by-others", .require(quorum), users: nil, roles: freezeRoles ?? BitSet(capacity: 0),
            negated: true, kind: nil, operations: freezeBit))
        for action in all where action != .freeze {
            var requirement = quorum
            var location = g.location
            if let (key, override) = g.overrides.first(where: { $0.key.value == action.rawValue }) {
                location = key.location
                guard let r = self.requirement(override, at: key.location, rule: "governance.\(action.rawValue)") else { continue }
                requirement = r
            }
            parts.rules.append(rule(
                "governance.\(action.rawValue)", .require(requirement), users: nil, roles: nil, negated: false,
                kind: nil, operations: Self.operationBit(action), location: location))
        }
    }

    /// The operations that can take a security officer's power to cancel away (their role,
    /// grant, credential or membership of the people, the freeze roles through the policy, the
    /// nodes that enforce it all): a time-lock is worth only as long as the cancellers last.
    static let cancellerReducingActions: [GovernanceOperation.Action] = [
        .removeUser, .assignRole, .revokeRole, .reviewAccess, .revokeCredential, .changePolicy, .changeMembership,
    ]

    /// A policy with time-locks names freeze roles (the people who may cancel during a wait), and
    /// time-locks every operation that could remove those people at least as long as its longest
    /// wait: otherwise a compromised quorum removes the officers at once and the time-locked
    /// operation executes with nobody left to cancel it.
    mutating func checkTimelocks(_ g: PolicyDocument.Governance) {
        guard let (longestAction, longest) = g.timelocks.sorted(by: { ($1.value, $0.key.value) < ($0.value, $1.key.value) }).first else { return }
        if g.freezeRoles.isEmpty {
            error(.invalidValue, longestAction.location, "governance.timelocks needs governance.freeze roles: nobody could cancel during a wait")
        }
        let short = Self.cancellerReducingActions.filter { (g.timelock($0) ?? 0) < longest }
        guard !short.isEmpty else { return }
        error(.invalidValue, longestAction.location,
              "governance.timelocks: \(longestAction.value) waits \(longest) s, so \(short.map(\.rawValue).joined(separator: ", ")) must wait "
              + "at least as long: otherwise a quorum removes the security officers who could cancel it before it executes")
    }
}
