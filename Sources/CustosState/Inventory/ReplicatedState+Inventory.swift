import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy

extension ReplicatedState {
    /// The key inventory at this state's height and block time, with each vault's and bot's
    /// rotation schedule from the policy in force (`KeyPolicy`). Failed vaults (they hold no
    /// usable key), removed bots and people, and retired members are left out.
    public var inventory: KeyInventory {
        let keys = document.keys
        let now = Int64(time / 1000)
        func schedule(_ keyClass: KeyClass, from rotatedAt: UInt64, dueBy: UInt64? = nil) -> (due: UInt64, status: KeyRotationStatus) {
            let (due, status) = keys.schedule(of: keyClass, rotatedAt: Int64(rotatedAt / 1000), dueBy: dueBy.map { Int64($0 / 1000) }, at: now)
            if let dueBy, Int64(dueBy / 1000) == due { return (dueBy, status) }
            return (UInt64(max(0, due)) * 1000 + rotatedAt % 1000, status)
        }
        func fingerprint(_ key: [UInt8]) -> String { String(Hashes.sha256(key).hexString.prefix(16)) }
        var list: [KeyInventory.Key] = []
        for id in vaults.keys.sorted() {
            let v = vaults[id]!
            guard v.status != .failed else { continue }
            let keyClass = keys.vaultClass(id)
            let rotated = v.refreshes.last { $0.status == .completed }?.completedAt
            let created = v.key?.activatedAt
            let due = created.map { schedule(keyClass, from: rotated ?? $0) }
            var details = ["status": v.status.rawValue, "label": v.label, "threshold": "\(v.minSigners) of \(v.holders.count)",
                           "epoch": "\(v.epoch)"]
            if let digest = v.ceremony.expected?.transcriptDigest { details["ceremony-transcript"] = digest.hexString }
            if let last = v.refreshes.last(where: { $0.status == .completed }) {
                details["last-\(last.kind.rawValue)"] = last.operationId
                if let digest = last.expected?.transcriptDigest { details["\(last.kind.rawValue)-transcript"] = digest.hexString }
            }
            if !v.addresses.isEmpty {
                details["addresses"] = v.addresses.map { "\($0.label) \($0.chain.rawValue) \($0.address)" }.joined(separator: "; ")
            }
            if !v.excluded.isEmpty { details["excluded"] = v.excluded.map(\.rawValue).joined(separator: ", ") }
            list.append(KeyInventory.Key(
                kind: .vault, owner: id, keyId: "", algorithm: v.scheme.rawValue,
                purpose: "threshold key of vault \(v.label.printable(limit: 64)): signs what the policy allows",
                holders: v.holders.map(\.rawValue), roles: [], fingerprint: v.key.map { fingerprint($0.groupKey) } ?? "",
                environment: v.environment.rawValue, keyClass: keyClass, createdAt: created ?? v.ceremony.startedAt, lastRotatedAt: rotated,
                rotationDueAt: due?.due, rotation: due?.status, lastUsedAt: nil, details: details))
        }
        for m in members {
            let since = memberSince[m.id]
            list.append(KeyInventory.Key(
                kind: .nodeIdentity, owner: m.id.rawValue, keyId: "", algorithm: "Ed25519",
                purpose: "signer node identity: votes on blocks, signs its log entries and MPC messages",
                holders: [m.id.rawValue], roles: [], fingerprint: fingerprint(m.publicKeyBytes), environment: nil, keyClass: nil,
                createdAt: since, lastRotatedAt: nil, rotationDueAt: nil, rotation: nil, lastUsedAt: nil,
                details: ["rotation": "by replacing the node (add-member, then remove-member)"]))
            list.append(KeyInventory.Key(
                kind: .nodeTransport, owner: m.id.rawValue, keyId: "", algorithm: "X25519",
                purpose: "signer node transport: MPC messages to it are sealed to this key (HPKE)",
                holders: [m.id.rawValue], roles: [], fingerprint: fingerprint(m.transportKeyBytes), environment: nil, keyClass: nil,
                createdAt: since, lastRotatedAt: nil, rotationDueAt: nil, rotation: nil, lastUsedAt: nil,
                details: ["rotation": "by replacing the node (add-member, then remove-member)"]))
        }
        for id in bots.keys.sorted() {
            let b = bots[id]!
            guard b.active else { continue }
            let keyClass = keys.botClass(id)
            let offboarded = Self.rotationDue(of: b, in: offboardings)
            let due = schedule(keyClass, from: b.keyRotatedAt, dueBy: offboarded)
            var details = ["rotation": "rotate-bot-key"]
            if let offboarded {
                let people = offboardings.values.filter { $0.at == offboarded && $0.botsDue.contains(id) }.map(\.user).sorted()
                details["due-by-offboarding"] = "\(people.joined(separator: ", ")) administered its key and was offboarded"
            }
            list.append(KeyInventory.Key(
                kind: .bot, owner: id, keyId: "", algorithm: b.key.algorithm.rawValue,
                purpose: "bot request signing: requests initiated as \(id)",
                holders: [id], roles: b.roles, fingerprint: fingerprint(b.key.rawRepresentation), environment: b.environment.rawValue,
                keyClass: keyClass, createdAt: b.registeredAt, lastRotatedAt: b.keyRotatedAt > b.registeredAt ? b.keyRotatedAt : nil,
                rotationDueAt: due.due, rotation: due.status, lastUsedAt: nil, details: details))
        }
        for id in users.keys.sorted() {
            let u = users[id]!
            guard u.active else { continue }
            let acting = policy.environments(of: id)
            let environment = acting.count == DeploymentEnvironment.allCases.count ? nil : acting.map(\.rawValue).joined(separator: ",")
            for c in u.credentials {
                let times = u.times(of: c.credentialId)
                let algorithm = (try? c.coseKey().algorithm).map { $0 == .es256 ? "ES256" : "EdDSA" } ?? "unknown"
                var details = ["aaguid": AuthenticatorModel.uuid(c.aaguid), "user-verified": "\(c.userVerified)",
                               "backup-eligible": "\(c.backupEligible)", "sign-count": "\(c.signCount)"]
                if let model = AuthenticatorModel.name(of: c.aaguid) { details["model"] = model }
                if c.isSoftware { details["software"] = "true (development only)" }
                details["attestation"] = c.attestationFormat + (c.attestationAnchored ? " (certified, anchored)" : c.attestationCertified ? " (certified)" : "")
                if !document.onboarding.isEmpty {
                    let recorded = u.onboardingSteps.keys.sorted().joined(separator: ", ")
                    details["onboarding"] = (onboardingGap(of: id).map { "missing \($0.missing.joined(separator: ", "))" } ?? "complete")
                        + (recorded.isEmpty ? "" : "; attested: \(recorded)")
                }
                list.append(KeyInventory.Key(
                    kind: .credential, owner: id, keyId: Base64URL.encode(c.credentialId), algorithm: algorithm,
                    purpose: "WebAuthn credential: \(id) proposes, approves and initiates with it",
                    holders: [id], roles: u.roles, fingerprint: fingerprint(c.publicKey), environment: environment, keyClass: nil,
                    createdAt: times.registeredAt == 0 ? nil : times.registeredAt, lastRotatedAt: nil, rotationDueAt: nil,
                    rotation: nil, lastUsedAt: times.lastUsedAt, details: details))
            }
        }
        return KeyInventory(height: height, time: time, keys: list)
    }
}
