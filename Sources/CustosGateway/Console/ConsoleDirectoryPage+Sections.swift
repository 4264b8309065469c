import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState

extension ConsoleDirectoryPage {
    /// What one directory page lists, from the committed state alone (the views the API and
    /// `custos inventory` show: `UserView`, `KeyInventory`, `AddressBookEntryView`): a note, the
    /// columns and the rows.
    static func table(_ section: ConsoleDirectorySection, in state: ReplicatedState) -> (note: String, columns: [String], rows: [Row]) {
        switch section {
        case .users: users(state)
        case .roles: roles(state)
        case .credentials: credentials(state)
        case .bots: bots(state)
        case .members: members(state)
        case .addressBooks: addressBook(state)
        }
    }

    static func time(_ milliseconds: UInt64?) -> String {
        milliseconds.map { UTCTime.text(Int64($0 / 1000)) } ?? "at genesis"
    }

    /// `text` cut to its first and last characters when it is long, with the whole on demand.
    static func shortened(_ text: String, head: Int = 10, tail: Int = 6) -> Cell {
        text.count <= head + tail + 1 ? Cell(text) : Cell("\(text.prefix(head))…\(text.suffix(tail))", full: text)
    }

    /// The ids of the open operations aimed at `target` (a person, a bot, a node, an entry).
    static func openOperations(on target: String, in state: ReplicatedState) -> Cell {
        let ids = state.operations.values.filter { $0.isOpen && $0.proposal.change.operation.target == target }.map(\.id).sorted()
        return Cell(ids.isEmpty ? "none" : ids.joined(separator: ", "))
    }

    static func users(_ state: ReplicatedState) -> (note: String, columns: [String], rows: [Row]) {
        let rows = state.users.keys.sorted().map { id in
            let user = UserView(state.users[id]!, in: state)
            let roles = user.roles.map { role in user.roleExpiry[role].map { "\(role) (until \(time($0)))" } ?? role }
            return Row(key: id, cells: [
                Cell(id), Cell(!user.active ? "removed" : (user.missingOnboarding ?? []).isEmpty ? "active"
                    : "active, not onboarded (missing \((user.missingOnboarding ?? []).joined(separator: ", ")))"), Cell(roles.isEmpty ? "none" : roles.joined(separator: ", ")),
                Cell("\(user.credentials.count)"), openOperations(on: id, in: state),
            ])
        }
        return ("Every person the cluster registers. A role granted for a time lapses on every node when it runs out.",
                ["Person", "Status", "Roles (grants with their expiry)", "Credentials", "Open operations on them"], rows)
    }

    /// The approval groups' names a requirement counts from.
    static func groups(in requirement: PolicyDocument.Requirement) -> [String] {
        switch requirement {
        case .group(let name, _): [name.value]
        case .all(let parts), .any(let parts): parts.flatMap(groups(in:))
        }
    }

    static func roles(_ state: ReplicatedState) -> (note: String, columns: [String], rows: [Row]) {
        let document = state.policy.document
        let named = document.groups.flatMap { $0.roles.map(\.value) } + state.freezeRoles
        let active = state.users.values.filter(\.active)
        let rows = Set(state.roles + named).sorted().map { role in
            let holders = active.filter { $0.roles.contains(role) }.map(\.id).sorted()
            let groups = document.groups.filter { $0.roles.contains { $0.value == role } }.map(\.name)
            var approves: [String] = document.rules.compactMap { rule in
                guard case .require(let requirement) = rule.outcome else { return nil }
                let counted = Self.groups(in: requirement).filter(groups.contains)
                return counted.isEmpty ? nil : "rule \(rule.name) (\(counted.joined(separator: ", ")))"
            }
            var governance: [String] = []
            if let g = document.governance {
                if g.proposerRoles.contains(where: { $0.value == role }) { governance.append("proposes operations") }
                if Self.groups(in: g.quorum).contains(where: groups.contains) { governance.append("counts towards the quorum") }
                for (action, requirement) in g.overrides.sorted(by: { $0.key.value < $1.key.value })
                where Self.groups(in: requirement).contains(where: groups.contains) {
                    approves.append("governance \(action.value)")
                }
                if g.freezeRoles.contains(where: { $0.value == role }) { governance.append("freezes alone, cancels during a time-lock") }
            }
            return Row(key: role, cells: [
                Cell(role), Cell(holders.isEmpty ? "nobody" : holders.joined(separator: ", ")),
                Cell(groups.isEmpty ? "none" : groups.joined(separator: ", ")),
                Cell(approves.isEmpty ? "nothing" : approves.joined(separator: "; ")),
                Cell(governance.isEmpty ? "nothing" : governance.joined(separator: "; ")),
            ])
        }
        return ("Each role, who holds it, and what the policy in force (version \(state.policyVersion)) lets its holders approve.",
                ["Role", "Held by", "Approval groups", "May approve", "Governance"], rows)
    }

    static func credentials(_ state: ReplicatedState) -> (note: String, columns: [String], rows: [Row]) {
        var rows = state.inventory.keys.filter { $0.kind == .credential }.map { key in
            let model = key.details["model"].map { "\($0) (AAGUID \(key.details["aaguid"] ?? "?"))" } ?? "AAGUID \(key.details["aaguid"] ?? "unknown")"
            return Row(key: key.keyId, cells: [
                Cell(key.owner), shortened(key.keyId, head: 16, tail: 0), Cell(model + (key.details["software"].map { ", software \($0)" } ?? "")),
                Cell(time(key.createdAt)), Cell(key.lastUsedAt.map { time($0) } ?? "never"), Cell("in use"),
            ])
        }
        // Revoked ones: the state drops them, their executed operations keep them.
        for op in state.operations.values.sorted(by: { ($0.decidedAt ?? 0, $0.id) < ($1.decidedAt ?? 0, $1.id) }) where op.status == .executed {
            switch op.proposal.change {
            case .revokeCredential(let user, let id):
                rows.append(Row(key: Base64URL.encode(id), cells: [
                    Cell(user), shortened(Base64URL.encode(id), head: 16, tail: 0), Cell(""), Cell(""), Cell(""),
                    Cell("revoked \(time(op.decidedAt)) (operation \(op.id))"),
                ]))
            case .removeUser(let user):
                rows.append(Row(key: user, cells: [
                    Cell(user), Cell("every credential"), Cell(""), Cell(""), Cell(""),
                    Cell("revoked \(time(op.decidedAt)) with the person's removal (operation \(op.id))"),
                ]))
            default: break
            }
        }
        return ("People's WebAuthn credentials (passkeys and security keys) and the revoked ones.",
                ["Person", "Credential id", "Authenticator", "Registered", "Last used", "Status"], rows)
    }

    static func bots(_ state: ReplicatedState) -> (note: String, columns: [String], rows: [Row]) {
        var rows = state.inventory.keys.filter { $0.kind == .bot }.map { key in
            Row(key: key.owner, cells: [
                Cell(key.owner), Cell(key.roles.isEmpty ? "none" : key.roles.joined(separator: ", ")), Cell(key.algorithm),
                Cell(key.fingerprint), Cell(time(key.createdAt)), Cell(key.lastRotatedAt.map { time($0) } ?? "never"),
                Cell((key.rotationDueAt.map { "due \(time($0))" } ?? "no period") + (key.rotation.map { ", \($0.rawValue)" } ?? "")),
                openOperations(on: key.owner, in: state),
            ])
        }
        for bot in state.bots.values.filter({ !$0.active }).sorted(by: { $0.id < $1.id }) {
            rows.append(Row(key: bot.id, cells: [
                Cell(bot.id), Cell(bot.roles.joined(separator: ", ")), Cell(bot.key.algorithm.rawValue), Cell(""),
                Cell(time(bot.registeredAt)), Cell(""), Cell("removed: its requests are refused"), Cell(""),
            ]))
        }
        return ("Bots sign their requests with a registered key; its fingerprint is the first 16 hex digits of SHA-256 over the public key.",
                ["Bot", "Roles", "Key", "Fingerprint", "Registered", "Last rotated", "Rotation", "Open operations on it"], rows)
    }

    /// The software version `node` last recorded in a key ceremony or refresh, and when.
    static func softwareVersion(of node: NodeID, in state: ReplicatedState) -> (version: String, at: UInt64)? {
        var reports: [(version: String, at: UInt64)] = []
        for vault in state.vaults.values {
            if let c = vault.ceremony.confirmations[node] { reports.append((c.softwareVersion, c.at)) }
            for refresh in vault.refreshes { if let c = refresh.confirmations[node] { reports.append((c.softwareVersion, c.at)) } }
        }
        return reports.max { $0.at < $1.at }
    }

    static func members(_ state: ReplicatedState) -> (note: String, columns: [String], rows: [Row]) {
        let keys = state.inventory.keys
        let rows = state.members.map { member in
            let id = member.id.rawValue
            let identity = keys.first { $0.kind == .nodeIdentity && $0.owner == id }?.fingerprint ?? ""
            let transport = keys.first { $0.kind == .nodeTransport && $0.owner == id }?.fingerprint ?? ""
            let version = softwareVersion(of: member.id, in: state).map { "\($0.version) (reported \(time($0.at)))" }
                ?? "not reported yet (a node records it with each key ceremony)"
            return Row(key: id, cells: [
                Cell(id), Cell(identity), Cell(transport), Cell(version), Cell(time(state.memberSince[member.id])),
                openOperations(on: id, in: state),
            ])
        }
        return ("The log's voting members. Fingerprints are the first 16 hex digits of SHA-256 over the public key. "
                    + "Member-set fingerprint \(OfflineMembers.fingerprint(of: state.members)): what an offline signer shows "
                    + "(custos offline update-cluster, custos offline show) for the members it trusts.",
                ["Signer node", "Identity key (Ed25519)", "Transport key (X25519)", "Software version", "Joined", "Open operations on it"], rows)
    }

    static func addressBook(_ state: ReplicatedState) -> (note: String, columns: [String], rows: [Row]) {
        let rows = AddressBookEntryView.addressBook(of: state).map { entry in
            let standing: String = if let c = entry.coolingOff {
                if let cancelled = c.cancelled {
                    "cancelled by \(cancelled.user) \(time(cancelled.at)) (operation \(cancelled.operation)): nothing goes to it"
                } else if let waived = c.waived {
                    "usable: cooling-off waived by operation \(waived.operation)"
                } else if !entry.usable {
                    "cooling off until \(time(c.usableFrom)) (added by operation \(c.operation))"
                } else {
                    "usable since \(time(c.usableFrom))"
                }
            } else {
                entry.usable ? "usable (in the genesis policy)" : "not usable"
            }
            return Row(key: entry.name, cells: [
                Cell(entry.name), Cell(entry.chain), shortened(entry.address), Cell(entry.counterparty ?? ""),
                Cell(entry.tags.joined(separator: ", ")), Cell(standing), openOperations(on: entry.name, in: state),
            ])
        }
        return ("The address book of the policy in force. Open a shortened address to read it whole.",
                ["Label", "Chain", "Address", "Counterparty", "Tags", "Standing", "Open operations on it"], rows)
    }
}
