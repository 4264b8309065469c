extension PolicyDiff {
    /// The environments and onboarding in plain language (issue 14 items 2 and 5): where each
    /// role of the `roles` section acts (acting in more environments is weaker, in fewer
    /// stronger), each bot's environment, and each onboarding step (a step added or enforced is
    /// stronger, one dropped or no longer enforced weaker). A bot of the registry keeps the
    /// registry's environment whatever the documents say: a document naming another is shown
    /// as overridden, never as a change.
    static func compareEnvironments(
        _ old: PolicyDocument, _ new: PolicyDocument, registeredBots: [String: DeploymentEnvironment], _ add: (String, String, Direction) -> Void
    ) {
        let all = Set(DeploymentEnvironment.allCases)
        func acting(_ scope: RoleScope?) -> Set<DeploymentEnvironment> { scope.map { Set($0.environments) } ?? all }
        func words(_ environments: Set<DeploymentEnvironment>) -> String {
            environments == all ? "every environment" : environments.sorted().map(\.rawValue).joined(separator: ", ")
        }
        let before = Dictionary(old.roles.map { ($0.role, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.roles.map { ($0.role, $0) }, uniquingKeysWith: { a, _ in a })
        for role in Set(before.keys).union(after.keys).sorted() {
            let (b, a) = (acting(before[role]), acting(after[role]))
            guard b != a else { continue }
            add("role \(role)", "acts in \(words(b)) → \(words(a))", a.isSuperset(of: b) ? .weaker : b.isSuperset(of: a) ? .stronger : .changed)
        }
        // Under a roles section a person with no role acts nowhere; without one, everywhere.
        if old.roles.isEmpty != new.roles.isEmpty {
            add("roles section", new.roles.isEmpty ? "removed: every role acts in every environment" : "added: the roles it names act only where it says",
                new.roles.isEmpty ? .weaker : .stronger)
        }
        let oldBots = Dictionary(old.principals.filter { $0.kind == .bot }.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for bot in new.principals where bot.kind == .bot {
            let now = bot.environment ?? .unnamedBot
            if let registered = registeredBots[bot.id] {
                let was = oldBots[bot.id].map { $0.environment ?? .unnamedBot }
                if now != registered && was != now {
                    add("bot \(bot.id)", "the document names environment \(now.rawValue), but the registry's \(registered.rawValue) takes effect: "
                        + "it still reaches \(registered.rawValue) vaults only", .changed)
                }
                continue
            }
            guard let b = oldBots[bot.id] else {
                add("bot \(bot.id)", "reaches \(now.rawValue) vaults only", .changed)
                continue
            }
            let was = b.environment ?? .unnamedBot
            if was != now { add("bot \(bot.id)", "environment \(was.rawValue) → \(now.rawValue): it reaches \(now.rawValue) vaults only", .changed) }
        }
        compareOnboarding(old.onboarding, new.onboarding, add)
    }

    /// Each onboarding step added, removed, enforced or not, changed in kind or attester, or
    /// accepting an unanchored attestation chain or not (review helper-125 M2).
    private static func compareOnboarding(_ old: [OnboardingStep], _ new: [OnboardingStep], _ add: (String, String, Direction) -> Void) {
        func what(_ s: OnboardingStep) -> String {
            (s.kind == .attestation ? "an attestation by a holder of \(s.attestedBy?.value ?? "?")"
                : "a registered hardware credential" + (s.acceptUnanchored ? " (an unanchored attestation chain accepted)" : ""))
                + (s.enforced ? ", required before a person's roles count" : ", recorded but not required yet")
        }
        let before = Dictionary(old.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let names = Set(new.map(\.name))
        for step in new {
            guard let b = before[step.name] else {
                add("onboarding step \(step.name)", "added: \(what(step))", step.enforced ? .stronger : .changed)
                continue
            }
            if b.kind != step.kind || b.attestedBy?.value != step.attestedBy?.value {
                add("onboarding step \(step.name)", "\(what(b)) → \(what(step))", .changed)
            } else if b.enforced != step.enforced {
                add("onboarding step \(step.name)", step.enforced ? "now required before a person's roles count" : "no longer required",
                    step.enforced ? .stronger : .weaker)
            }
            if b.kind == step.kind, b.acceptUnanchored != step.acceptUnanchored {
                add("onboarding step \(step.name)", step.acceptUnanchored
                    ? "now accepts a credential whose attestation chain reaches no root of the cluster"
                    : "no longer accepts a credential whose attestation chain reaches no root of the cluster",
                    step.acceptUnanchored ? .weaker : .stronger)
            }
        }
        for step in old where !names.contains(step.name) {
            add("onboarding step \(step.name)", "removed (was \(what(step)))", step.enforced ? .weaker : .changed)
        }
    }
}
