import CustosCore

extension CompiledPolicy {
    /// Decides a request like `evaluate` and explains the decision. Slower than `evaluate`
    /// (it formats text); the decision is identical.
    public func explain(_ request: PolicyRequest, in state: StateSnapshot) -> PolicyExplanation {
        let c = EvaluationContext(policy: self, request: request, state: state)
        let decision = decide(c)
        var lines: [String] = []
        switch decision.reason {
        case .frozen:
            lines.append("DENY: signing is frozen; only governance operations are decided until the quorum unfreezes it")
        case .invalidRequest(let problem):
            lines.append("DENY: the request is malformed: \(problem)")
        case .destinationHeld(let entry, let hold):
            lines.append("DENY: \(hold.text(entry: entry))")
        case .unknownInitiator:
            lines.append("DENY: initiator '\(request.initiator)' is not a known user or bot")
        case .outsideEnvironment(let mismatch):
            lines.append("DENY: \(mismatch.text)")
        case .notOnboarded(let gap):
            lines.append("DENY: \(gap.text)")
        case .deniedByRule(let name):
            lines.append("DENY: rule \(name) denies this request (deny beats require and allow)")
        case .approvalsPending:
            lines.append("NEEDS APPROVALS: the request may proceed once the approvals below are given")
        case .approved:
            lines.append("ALLOW: every required approval is present")
        case .allowedByRule(let name):
            lines.append("ALLOW: rule \(name) allows this request")
        case .noRuleMatched:
            if decision.applied.isEmpty {
                lines.append("DENY: no rule matched this request (nothing matched means deny)")
            } else {
                lines.append("DENY: no allow rule matched this request (require rules only add approvals to allowed requests)")
            }
        }
        lines.append("request: \(summary(c))")
        lines += destinationWarnings(c).map(\.text)
        if let median = state.medians[request.asset] {
            lines += median.lines
        } else if !request.asset.isEmpty, let problem = state.priceProblems[request.asset] {
            lines.append("price of \(request.asset): none (\(problem))")
        }
        if let key = c.initiatorKey, key.status != .current { lines.append(Self.keyText(request.initiator, key, now: c.state.time)) }
        for rule in decision.applied {
            guard let compiled = rules.first(where: { $0.name == rule.name }) else { continue }
            var line = "rule \(rule.name) (\(effectText(compiled.effect))) applies"
            if rule.failedClosed != nil {
                line += ", failing closed because a clause could not be evaluated"
            }
            let facts = describe(compiled, c)
            if !facts.isEmpty { line += ": " + facts.joined(separator: "; ") }
            lines.append(line)
        }
        for skipped in decision.skippedAllows {
            lines.append("rule \(skipped.name) (allow) ignored because it could not be evaluated: \(skipped.problem) (fails closed)")
        }
        for p in decision.pending {
            lines.append("still needed for rule \(p.rule): \(p.count) more approval\(p.count == 1 ? "" : "s") from group \(p.group) (members: \(members(ofGroup: p.group, in: c.environment).filter { $0 != request.initiator }.joined(separator: ", ")))")
        }
        for r in decision.requirements where r.alternatives.count > 1 {
            let ways = r.alternatives.map { terms in terms.map { "\($0.count) from \($0.group)" }.joined(separator: " and ") }
            lines.append("rule \(r.rule) is met by any one of: \(ways.joined(separator: "; or "))")
        }
        if decision.outcome == .deny, decision.reason == .noRuleMatched {
            lines += nearMisses(c)
        }
        if !decision.countedApprovers.isEmpty {
            lines.append("approvals counted: \(decision.countedApprovers.joined(separator: ", "))")
        }
        let ignored = request.approvals.filter { !decision.countedApprovers.contains($0) }
        if decision.reason == .approvalsPending || decision.reason == .approved, !ignored.isEmpty {
            lines.append("approvals not counted (initiator, bot, unknown or repeated): \(ignored.joined(separator: ", "))")
        }
        return PolicyExplanation(decision: decision, lines: lines)
    }

    private func effectText(_ e: CompiledRule.Effect) -> String {
        switch e {
        case .allow: return "allow"
        case .deny: return "deny"
        case .require(let r): return "require " + requirementText(r)
        }
    }

    func requirementText(_ r: ApprovalRequirement) -> String {
        let alternatives = r.alternatives.map { terms in
            terms.map { "\($0.count) of \(groupNames.names[$0.group])" }.joined(separator: " and ")
        }
        return alternatives.count == 1 ? alternatives[0] : alternatives.map { "(\($0))" }.joined(separator: " or ")
    }

    private func summary(_ c: EvaluationContext) -> String {
        let r = c.request
        if let op = r.operation {
            return "\(r.initiator) proposes \(op.action.rawValue)\(op.target.isEmpty ? "" : " " + op.target)"
        }
        if let message = r.message {
            return "\(r.initiator) asks \(r.vault.isEmpty ? "a vault" : r.vault) to sign " + Self.messageText(message)
        }
        var text = "\(r.initiator) sends \(r.amount.grouped) \(r.asset) on \(r.chain)"
        if !r.vault.isEmpty { text += " from \(r.vault)" }
        text += " to " + destinationText(c)
        if let usd = c.amountUSD { text += " (≈ \(usd.grouped) USD)" }
        if let call = r.call { text += ", calling \(call.function) on \(call.target)" }
        return text
    }

    /// A message in words, as people read it: format, then the EIP-712 domain and primary type
    /// or the EIP-191 text (cut, with control characters escaped).
    package static func messageText(_ m: PolicyRequest.Message) -> String {
        switch m.format {
        case .eip712:
            var domain: [String] = []
            if let name = m.domain?.name { domain.append("name \(name.printable(limit: 64))") }
            if let version = m.domain?.version { domain.append("version \(version.printable(limit: 32))") }
            if let chainId = m.domain?.chainId { domain.append("chainId \(chainId)") }
            if let contract = m.domain?.verifyingContract { domain.append("verifyingContract \(contract)") }
            return "EIP-712 \(m.primaryType?.printable(limit: 64) ?? "?") (domain \(domain.isEmpty ? "empty" : domain.joined(separator: ", ")); \(m.fields.count) field\(m.fields.count == 1 ? "" : "s"))"
        case .eip191:
            guard let text = m.text else { return "an EIP-191 message of \(m.length) bytes (not UTF-8 text)" }
            let shown = text.printable(limit: 120)
            return "EIP-191 text \"\(shown)\"\(text.unicodeScalars.count > 120 ? "…" : "") (\(m.length) bytes)"
        case .bip340: return "a BIP-340 message of \(m.length) bytes"
        case .raw: return "a raw message of \(m.length) bytes"
        }
    }

    private func destinationText(_ c: EvaluationContext) -> String {
        guard c.entry >= 0 else { return "unknown address \(c.destinationAddress)" }
        let e = entries[c.entry]
        var text = e.name
        var details: [String] = []
        if let cp = e.counterpartyName { details.append("counterparty \(cp)") }
        if !e.tagNames.isEmpty { details.append("tags " + e.tagNames.joined(separator: ", ")) }
        if !details.isEmpty { text += " (" + details.joined(separator: "; ") + ")" }
        return text
    }

    /// An overdue initiator key in words: its class, age and how far past its rotation it is.
    static func keyText(_ initiator: String, _ key: InitiatorKey, now: Int64) -> String {
        let overdueDays = max(0, now &- key.due) / 86_400
        var text = "KEY ROTATION OVERDUE: \(initiator)'s request-signing key (class \(key.keyClass.rawValue)) was last rotated \(key.ageDays) days ago; rotation was due \(overdueDays) days ago"
        if key.status == .pastGrace {
            text += " and its grace period ended \(max(0, now &- key.graceEnds) / 86_400) days ago"
        } else {
            text += "; its grace period ends in \(max(0, key.graceEnds &- now) / 86_400) days"
        }
        return text
    }

    static func durationText(_ seconds: Int) -> String {
        if seconds % 86_400 == 0, seconds >= 2 * 86_400 { return "\(seconds / 86_400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    static func rangeText(_ r: CompiledRule.Range) -> String {
        var parts: [String] = []
        if let v = r.over { parts.append("> \(v.grouped)") }
        if let v = r.atLeast { parts.append("≥ \(v.grouped)") }
        if let v = r.upTo { parts.append("≤ \(v.grouped)") }
        if let v = r.under { parts.append("< \(v.grouped)") }
        return parts.joined(separator: " and ")
    }

    private func scopeText(_ scope: PolicyDocument.WindowLimit.Scope, _ key: String) -> String {
        switch scope {
        case .global: return "in total"
        default: return "for \(scope.rawValue) \(key)"
        }
    }

    /// The facts behind each clause of a rule that applied, with the figures compared.
    private func describe(_ rule: CompiledRule, _ c: EvaluationContext) -> [String] {
        var facts: [String] = []
        let r = c.request
        if let op = r.operation, rule.governance {
            facts.append("operation \(op.action.rawValue)")
        }
        if rule.initiatorUsers != nil || rule.initiatorRoles != nil || rule.initiatorKind != nil {
            let p = principals[c.initiator]
            let roles = p.roleNames.isEmpty ? "no roles" : "roles " + p.roleNames.joined(separator: ", ")
            facts.append("initiator \(p.id) is a \(p.kind.rawValue) with \(roles)\(rule.initiatorNegated ? " (not a proposer)" : "")")
        }
        if rule.vaults != nil { facts.append("vault \(r.vault)") }
        if rule.chains != nil { facts.append("chain \(r.chain)") }
        if rule.assets != nil { facts.append("asset \(r.asset)") }
        if rule.destination != nil { facts.append("destination \(destinationText(c))") }
        if let range = rule.amount { facts.append("amount \(r.amount.grouped) \(r.asset) is \(Self.rangeText(range))") }
        if let range = rule.fee { facts.append("fee \(r.fee.grouped) is \(Self.rangeText(range))") }
        if let range = rule.amountUSD {
            if let usd = c.amountUSD {
                facts.append("USD notional \(usd.grouped) is \(Self.rangeText(range))")
            } else {
                facts.append("USD notional unknown (\(c.usdProblem ?? "no price"))")
            }
        }
        if rule.call != nil, let call = r.call { facts.append("call \(call.function) on \(call.target)") }
        if rule.message != nil, let message = r.message { facts.append("message " + Self.messageText(message)) }
        for (window, inside) in [(rule.during, true), (rule.outside, false)] {
            guard let w = window else { continue }
            let (minute, weekday) = c.localTime(offsetSeconds: w.offsetSeconds)
            let clock = (minute / 60 < 10 ? "0" : "") + "\(minute / 60):" + (minute % 60 < 10 ? "0" : "") + "\(minute % 60)"
            let days = w.days.sorted().map { PolicyDocument.weekdays[$0] }.joined(separator: ",")
            let from = "\(w.fromMinute / 60 < 10 ? "0" : "")\(w.fromMinute / 60):\(w.fromMinute % 60 < 10 ? "0" : "")\(w.fromMinute % 60)"
            let to = "\(w.toMinute / 60 < 10 ? "0" : "")\(w.toMinute / 60):\(w.toMinute % 60 < 10 ? "0" : "")\(w.toMinute % 60)"
            facts.append("time \(PolicyDocument.weekdays[weekday]) \(clock) (\(w.zone)) is \(inside ? "inside" : "outside") \(days) \(from)-\(to)")
        }
        for (list, exceeding) in [(rule.within, false), (rule.exceeds, true)] {
            for l in list {
                let limit = limits[l]
                let window = Self.durationText(limit.windowSeconds)
                switch projected(l, c) {
                case .failure(let f):
                    facts.append(f.message)
                case .success(let p):
                    if exceeding && p.holds { continue }
                    var parts: [String] = []
                    if let max = limit.maxUSD, let usd = p.usd {
                        parts.append("\(window) total \(scopeText(limit.per, p.key)) would be \(usd.grouped) USD \(usd > max ? ">" : "≤") limit \(max.grouped) USD")
                    }
                    if let max = limit.maxCount {
                        parts.append("\(window) count \(scopeText(limit.per, p.key)) would be \(p.count) \(p.count > max ? ">" : "≤") limit \(max)")
                    }
                    facts.append("limit \(limit.name): " + parts.joined(separator: ", "))
                }
            }
        }
        if let source = rule.conditionSource {
            do {
                let holds = try rule.condition?.bool(c, nil) ?? true
                facts.append("condition `\(source)` is \(holds)")
            } catch {
                facts.append("condition `\(source)` could not be evaluated: \(error.message)")
            }
        }
        return facts
    }
}
