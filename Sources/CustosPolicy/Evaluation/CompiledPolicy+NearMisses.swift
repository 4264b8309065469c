extension CompiledPolicy {
    /// Allow rules that failed on exactly one clause, with that clause in words: what a person
    /// reading a denial most wants to know ("the top-up rule would have allowed this, but the
    /// 24h limit is exceeded"). Rules of the other request kind are never listed.
    func nearMisses(_ c: EvaluationContext, limit: Int = 3) -> [String] {
        var result: [String] = []
        for index in c.request.kind == .governance ? governanceRules : transferRules {
            let rule = rules[index]
            guard case .allow = rule.effect, !rule.name.hasPrefix("governance.") else { continue }
            let failures = failingClauses(rule, c)
            if failures.count == 1 {
                result.append("rule \(rule.name) (allow) did not match only because \(failures[0])")
                if result.count == limit { break }
            }
        }
        return result
    }

    /// Every clause of `rule` that does not hold for the request, in words.
    func failingClauses(_ rule: CompiledRule, _ c: EvaluationContext) -> [String] {
        let r = c.request
        var out: [String] = []
        if rule.governance {
            if let op = r.operation, rule.operations != 0, rule.operations & PolicyCompiler.operationBit(op.action) == 0 {
                out.append("operation \(op.action.rawValue) is not one it covers")
            }
        } else if rule.kinds & PolicyCompiler.kindBit(r.kind) == 0 {
            out.append("the request is a \(r.kind.rawValue)")
        }
        if rule.initiatorUsers != nil || rule.initiatorRoles != nil {
            let inUsers = rule.initiatorUsers?.contains(c.initiator) ?? false
            let inRoles = rule.initiatorRoles?.intersects(c.roles) ?? false
            if (inUsers || inRoles) == rule.initiatorNegated {
                out.append("initiator \(r.initiator) is not one of its users or roles")
            }
        }
        if let kind = rule.initiatorKind, c.initiatorKind != kind { out.append("initiator \(r.initiator) is not a \(kind.rawValue)") }
        if let s = rule.vaults, !s.contains(c.vault) { out.append("vault \(r.vault) is not one of its vaults") }
        if let s = rule.chains, !s.contains(c.chain) { out.append("chain \(r.chain) is not one of its chains") }
        if let s = rule.assets, !s.contains(c.asset) { out.append("asset \(r.asset) is not one of its assets") }
        if let d = rule.destination {
            var ok = d.known.map { $0 == (c.entry >= 0) } ?? true
            if ok, d.hasSets {
                if c.entry >= 0 {
                    let e = entries[c.entry]
                    ok = d.entries.contains(c.entry) || d.tags.intersects(e.tags) || d.counterparties.contains(e.counterparty)
                } else {
                    ok = false
                }
            }
            if !ok { out.append("the destination \(c.entry >= 0 ? entries[c.entry].name : "(unknown address)") is not one it covers") }
        }
        if let range = rule.amount, !range.contains(r.amount) {
            out.append("amount \(r.amount.grouped) \(r.asset) is not \(Self.rangeText(range))")
        }
        if let range = rule.fee, !range.contains(r.fee) { out.append("fee \(r.fee.grouped) is not \(Self.rangeText(range))") }
        if let call = rule.call {
            if let rc = r.call {
                if let t = call.targets, !t.contains(AddressNormalization.normalize(rc.target)) { out.append("the contract \(rc.target) is not one of its targets") }
                if let f = call.functions, !f.contains(rc.function) { out.append("function \(rc.function) is not one of its functions") }
            } else {
                out.append("the request is not a contract call")
            }
        }
        if let clause = rule.message {
            if let message = r.message {
                if let mismatch = clause.mismatch(message) { out.append("the message's \(mismatch)") }
            } else {
                out.append("the request is not a message")
            }
        }
        if let w = rule.during, !inside(w, c) { out.append("the time is outside its window") }
        if let w = rule.outside, inside(w, c) { out.append("the time is inside the window it excludes") }
        if let range = rule.amountUSD {
            if let usd = c.amountUSD {
                if !range.contains(usd) { out.append("USD notional \(usd.grouped) is not \(Self.rangeText(range))") }
            } else {
                out.append("the USD notional is unknown (\(c.usdProblem ?? "no price"))")
            }
        }
        for l in rule.within {
            let limit = limits[l]
            switch projected(l, c) {
            case .failure(let f): out.append(f.message)
            case .success(let p) where !p.holds:
                let window = Self.durationText(limit.windowSeconds)
                if let max = limit.maxUSD, let usd = p.usd, usd > max {
                    out.append("limit \(limit.name): \(window) total for \(limit.per.rawValue) \(p.key) would be \(usd.grouped) USD > limit \(max.grouped) USD")
                } else if let max = limit.maxCount {
                    out.append("limit \(limit.name): \(window) count for \(limit.per.rawValue) \(p.key) would be \(p.count) > limit \(max)")
                }
            case .success:
                break
            }
        }
        if !rule.exceeds.isEmpty {
            let anyExceeded = rule.exceeds.contains { l in
                if case .success(let p) = projected(l, c) { return !p.holds }
                return true
            }
            if !anyExceeded { out.append("none of its limits is exceeded") }
        }
        if let condition = rule.condition, let source = rule.conditionSource {
            do {
                if try !condition.bool(c, nil) { out.append("its condition `\(source)` is false") }
            } catch {
                out.append("its condition `\(source)` could not be evaluated (\(error.message))")
            }
        }
        return out
    }
}
