import CustosPolicy
import Testing

/// What a change-policy does to where roles act, to the bots' environments and to onboarding,
/// in plain language for its approvers (issue 14 items 2 and 5), not only in the line diff.
extension DiffTests {
    static let scoped = Fixtures.header
        .replacingOnce("  bot: {kind: bot, roles: [trading-bot]}", with: "  bot: {kind: bot, roles: [trading-bot], environment: staging}")
        .replacingOnce("groups:\n", with: """
            roles:
              treasury: {environments: [production, staging]}
            onboarding:
              training: {kind: attestation, attested_by: security}
              hardware: {kind: hardware_credential, enforced: false}
            groups:

            """)

    @Test func rolesOnboardingAndBotEnvironmentsAreShownInPlainLanguage() throws {
        #expect(Self.scoped.contains("roles:\n  treasury") && Self.scoped.contains("environment: staging}"))
        let added = try diff(Self.base, Self.base, newHeader: Self.scoped).lines
        for line in ["role treasury: acts in every environment → production, staging (stronger)",
                     "roles section: added: the roles it names act only where it says (stronger)",
                     "bot bot: environment development → staging: it reaches staging vaults only (changed)",
                     "onboarding step training: added: an attestation by a holder of security, required before a person's roles count (stronger)",
                     "onboarding step hardware: added: a registered hardware credential, recorded but not required yet (changed)"] {
            #expect(added.contains(line), "\(line) in \(added)")
        }
        let removed = try diff(Self.base, Self.base, oldHeader: Self.scoped).lines
        for line in ["role treasury: acts in production, staging → every environment (weaker)",
                     "roles section: removed: every role acts in every environment (weaker)",
                     "bot bot: environment staging → development: it reaches development vaults only (changed)",
                     "onboarding step training: removed (was an attestation by a holder of security, required before a person's roles count) (weaker)"] {
            #expect(removed.contains(line), "\(line) in \(removed)")
        }
        let enforced = Self.scoped
            .replacingOnce("hardware: {kind: hardware_credential, enforced: false}", with: "hardware: {kind: hardware_credential}")
            .replacingOnce("treasury: {environments: [production, staging]}", with: "treasury: {environments: [production]}")
            .replacingOnce("attested_by: security}", with: "attested_by: admin}")
        let changed = try diff(Self.base, Self.base, oldHeader: Self.scoped, newHeader: enforced).lines
        for line in ["onboarding step hardware: now required before a person's roles count (stronger)",
                     "role treasury: acts in production, staging → production (stronger)",
                     "onboarding step training: an attestation by a holder of security, required before a person's roles count → "
                        + "an attestation by a holder of admin, required before a person's roles count (changed)"] {
            #expect(changed.contains(line), "\(line) in \(changed)")
        }
        #expect(try diff(Self.base, Self.base, oldHeader: Self.scoped, newHeader: Self.scoped).changes.isEmpty)
        // Accepting an unanchored chain weakens the hardware step, and the approver reads so.
        let unanchored = Self.scoped.replacingOnce("hardware: {kind: hardware_credential, enforced: false}",
                                                   with: "hardware: {kind: hardware_credential, enforced: false, accept_unanchored: true}")
        #expect(try diff(Self.base, Self.base, oldHeader: Self.scoped, newHeader: unanchored).lines
                == ["onboarding step hardware: now accepts a credential whose attestation chain reaches no root of the cluster (weaker)"])
    }

    /// Review of fin14 M4: a bot of the registry keeps the registry's environment whatever the
    /// document says, so the differences an approver reads show what takes effect: a document
    /// moving a registered production bot to staging is shown as overridden, never as a move.
    @Test func aRegisteredBotsEnvironmentIsTheRegistrysNotTheDocuments() throws {
        let a = try PolicyDocument.decode(yaml: Fixtures.header + Fixtures.governance + "rules:\n" + Self.base)
        let b = try PolicyDocument.decode(yaml: Self.scoped + Fixtures.governance + "rules:\n" + Self.base)
        let alone = PolicyDiff(old: a, new: b).lines
        #expect(alone.contains("bot bot: environment development → staging: it reaches staging vaults only (changed)"), "\(alone)")
        let production = PolicyDiff(old: a, new: b, registeredBots: ["bot": .production]).lines
        #expect(!production.contains { $0.hasPrefix("bot bot: environment") }, "\(production)")
        #expect(production.contains("bot bot: the document names environment staging, but the registry's production takes effect: "
                                    + "it still reaches production vaults only (changed)"), "\(production)")
        // Registered where the new document puts it: nothing changes in effect, nothing is shown.
        let staging = PolicyDiff(old: a, new: b, registeredBots: ["bot": .staging]).lines
        #expect(!staging.contains { $0.hasPrefix("bot bot:") }, "\(staging)")
    }
}
