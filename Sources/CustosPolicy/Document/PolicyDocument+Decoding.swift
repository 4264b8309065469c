import CustosCore

extension PolicyDocument {
    /// Reads a policy document from YAML text. Throws every shape error found (unknown or
    /// missing fields, wrong types, duplicate names, refused YAML features, exceeded limits),
    /// each with its position; references between sections are resolved later by
    /// `CompiledPolicy`.
    public static func decode(yaml text: String, limits: DocumentLimits = .policy) throws(PolicyLoadError) -> PolicyDocument {
        let root = try SafeYAML.parse(text, limits: limits)
        var reader = NodeReader()
        let document = decode(root, &reader)
        if let document, reader.diagnostics.isEmpty { return document }
        throw PolicyLoadError(reader.diagnostics)
    }

    static let ruleLimit = 1_000

    private static func decode(_ root: YAMLNode, _ r: inout NodeReader) -> PolicyDocument? {
        guard let top = r.mapping(
            root, "the policy",
            allowed: ["policy", "version", "description", "assets", "vaults", "principals", "groups",
                      "address_book", "limits", "rules", "governance", "keys", "prices", "fee_limits", "approvals",
                      "lookalike", "poisoning", "cooling_off", "signing", "alerts", "monitoring", "roles", "onboarding"],
            required: ["policy", "version", "rules"])
        else { return nil }
        var document = PolicyDocument(
            name: "", version: 0, description: "", assets: [], vaults: [], principals: [], groups: [],
            addressBook: [], limits: [], rules: [], governance: nil)
        if let n = top["policy"] { document.name = r.name(n.value, "policy name")?.value ?? "" }
        if let n = top["version"] { document.version = r.integer(n.value, "version", range: 1...Int(Int32.max))?.value ?? 0 }
        if let n = top["description"] { document.description = r.string(n.value, "description")?.value ?? "" }
        if let n = top["assets"] {
            for entry in r.namedMapping(n.value, "assets") {
                guard let fields = r.mapping(entry.value, "asset '\(entry.key)'", allowed: ["chains"], required: ["chains"]) else { continue }
                let chains = fields["chains"].map { r.names($0.value, "chain") } ?? []
                document.assets.append(Asset(symbol: entry.key, chains: chains, location: entry.keyLocation))
            }
        }
        if let n = top["vaults"] { document.vaults = r.names(n.value, "vault") }
        if let n = top["principals"] {
            for entry in r.namedMapping(n.value, "principals") {
                guard let fields = r.mapping(entry.value, "principal '\(entry.key)'", allowed: ["kind", "roles", "environment"], required: ["kind"]) else { continue }
                var kind = Principal.Kind.person
                if let k = fields["kind"], let text = r.string(k.value, "kind") {
                    if let parsed = Principal.Kind(rawValue: text.value) {
                        kind = parsed
                    } else {
                        r.error(.invalidValue, k.value.location, "kind must be 'person' or 'bot'")
                    }
                }
                let roles = fields["roles"].map { r.names($0.value, "role") } ?? []
                var environment: DeploymentEnvironment? = nil
                if let e = fields["environment"], let text = r.string(e.value, "environment") {
                    if kind != .bot {
                        r.error(.invalidValue, e.keyLocation, "principal '\(entry.key)' is a person; a person acts where their roles act (the roles section)")
                    } else if let parsed = DeploymentEnvironment(rawValue: text.value) {
                        environment = parsed
                    } else {
                        r.error(.invalidValue, text.location, "environment must be one of \(DeploymentEnvironment.choices)")
                    }
                }
                document.principals.append(Principal(id: entry.key, kind: kind, roles: roles, location: entry.keyLocation, environment: environment))
            }
        }
        if let n = top["groups"] {
            for entry in r.namedMapping(n.value, "groups") {
                guard let fields = r.mapping(entry.value, "group '\(entry.key)'", allowed: ["users", "roles"]) else { continue }
                let users = fields["users"].map { r.names($0.value, "user") } ?? []
                let roles = fields["roles"].map { r.names($0.value, "role") } ?? []
                if users.isEmpty && roles.isEmpty {
                    r.error(.missingField, entry.keyLocation, "group '\(entry.key)' names no users and no roles")
                }
                document.groups.append(ApproverGroup(name: entry.key, users: users, roles: roles, location: entry.keyLocation))
            }
        }
        if let n = top["address_book"] {
            for entry in r.namedMapping(n.value, "address_book") {
                let what = "address book entry '\(entry.key)'"
                guard let fields = r.mapping(entry.value, what, allowed: ["chain", "address", "counterparty", "tags"], required: ["chain", "address"]) else { continue }
                guard let chain = fields["chain"].flatMap({ r.name($0.value, "chain") }),
                      let address = fields["address"].flatMap({ r.string($0.value, "address") })
                else { continue }
                if address.value.isEmpty || address.value.utf8.count > 128 || address.value.contains(" ") {
                    r.error(.invalidValue, address.location, "address must be 1 to 128 characters without spaces")
                }
                let counterparty = fields["counterparty"].flatMap { r.name($0.value, "counterparty")?.value }
                let tags = fields["tags"].map { r.names($0.value, "tag") } ?? []
                document.addressBook.append(AddressBookEntry(
                    name: entry.key, chain: chain, address: address.value, counterparty: counterparty, tags: tags,
                    location: entry.keyLocation))
            }
        }
        if let n = top["limits"] {
            for entry in r.namedMapping(n.value, "limits") {
                let what = "limit '\(entry.key)'"
                guard let fields = r.mapping(entry.value, what, allowed: ["per", "window", "max_usd", "max_count"], required: ["per", "window"]) else { continue }
                var scope = WindowLimit.Scope.global
                if let p = fields["per"], let text = r.string(p.value, "per") {
                    if let parsed = WindowLimit.Scope(rawValue: text.value) {
                        scope = parsed
                    } else {
                        r.error(.invalidValue, p.value.location,
                                "per must be one of \(WindowLimit.Scope.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                }
                let window = fields["window"].flatMap { r.duration($0.value, "window")?.value } ?? 3600
                let maxUSD = fields["max_usd"].flatMap { r.decimal($0.value, "max_usd")?.value }
                let maxCount = fields["max_count"].flatMap { r.integer($0.value, "max_count", range: 0...1_000_000_000)?.value }
                if fields["max_usd"] == nil && fields["max_count"] == nil {
                    r.error(.missingField, entry.keyLocation, "\(what) needs max_usd, max_count or both")
                }
                document.limits.append(WindowLimit(
                    name: entry.key, per: scope, windowSeconds: window, maxUSD: maxUSD, maxCount: maxCount,
                    location: entry.keyLocation))
            }
        }
        if let n = top["rules"], let items = r.sequence(n.value, "rules") {
            if items.count > ruleLimit {
                r.error(.limitExceeded, n.value.location, "a policy has at most \(ruleLimit) rules")
            }
            var seen: [String: SourceLocation] = [:]
            for item in items.prefix(ruleLimit) {
                guard let rule = decodeRule(item, &r) else { continue }
                if rule.name.hasPrefix("governance.") {
                    r.error(.invalidValue, rule.location, "rule names starting with 'governance.' are reserved for the governance section")
                    continue
                }
                if let first = seen[rule.name] {
                    r.error(.duplicateName, rule.location, "rule name '\(rule.name)' is already used at line \(first.line)")
                    continue
                }
                seen[rule.name] = rule.location
                document.rules.append(rule)
            }
        }
        if let n = top["governance"] { document.governance = decodeGovernance(n.value, &r) }
        if let n = top["keys"] { document.keys = KeyPolicy.decode(n.value, &r) }
        if let n = top["prices"] { document.prices = PricePolicy.decode(n.value, &r) }
        if let n = top["fee_limits"] { document.feeLimits = decodeFeeLimits(n.value, &r) }
        if let n = top["approvals"] { document.approvals = ApprovalPolicy.decode(n.value, &r) }
        if let n = top["lookalike"] { document.lookalike = LookalikePolicy.decode(n.value, &r) }
        if let n = top["poisoning"] { document.poisoning = PoisoningPolicy.decode(n.value, &r) }
        if let n = top["cooling_off"] { document.coolingOff = CoolingOff.decode(n.value, &r) }
        if let n = top["signing"] { document.signing = SigningTimePolicy.decode(n.value, &r) }
        if let n = top["alerts"] { document.alerts = AlertPolicy.decode(n.value, &r) }
        if let n = top["monitoring"] { document.monitoring = MonitoringPolicy.decode(n.value, &r) }
        if let n = top["roles"] { document.roles = RoleScope.decode(n.value, &r) }
        if let n = top["onboarding"] { document.onboarding = OnboardingStep.decode(n.value, &r) }
        return document
    }

    /// `fee_limits`: per chain, fees in gwei with at most 9 fractional digits (whole wei), the
    /// priority fee not above the fee cap, and a gas limit from 21,000 to 30,000,000.
    private static func decodeFeeLimits(_ node: YAMLNode, _ r: inout NodeReader) -> [FeeLimit] {
        var limits: [FeeLimit] = []
        for entry in r.namedMapping(node, "fee_limits") {
            let what = "fee limit of '\(entry.key)'"
            guard let fields = r.mapping(entry.value, what, allowed: ["max_fee_per_gas_gwei", "max_priority_fee_per_gas_gwei", "max_gas_limit"],
                                         required: ["max_fee_per_gas_gwei", "max_priority_fee_per_gas_gwei"]),
                  let cap = fields["max_fee_per_gas_gwei"].flatMap({ r.decimal($0.value, "max_fee_per_gas_gwei") }),
                  let tip = fields["max_priority_fee_per_gas_gwei"].flatMap({ r.decimal($0.value, "max_priority_fee_per_gas_gwei") })
            else { continue }
            let gas = fields["max_gas_limit"].flatMap { r.integer($0.value, "max_gas_limit", range: 21_000...30_000_000)?.value }
            for fee in [cap, tip] where fee.value < .zero || fee.value.raw % 1_000_000_000 != 0 {
                r.error(.invalidValue, fee.location, "a fee in gwei is not negative and has at most 9 fractional digits (whole wei)")
            }
            if tip.value > cap.value {
                r.error(.invalidValue, tip.location, "\(what): the priority fee \(tip.value) gwei exceeds the fee cap \(cap.value) gwei")
            }
            limits.append(FeeLimit(chain: Spanned(entry.key, at: entry.keyLocation), maxFeePerGasGwei: cap.value, maxPriorityFeePerGasGwei: tip.value,
                                   maxGasLimit: gas ?? FeeLimit.defaultMaxGasLimit, location: entry.keyLocation))
        }
        return limits
    }

    private static func decodeRule(_ node: YAMLNode, _ r: inout NodeReader) -> Rule? {
        guard let fields = r.mapping(node, "a rule", allowed: ["name", "description", "match", "when", "outcome", "expires"], required: ["name", "outcome"]),
              let name = fields["name"].flatMap({ r.name($0.value, "rule name") })
        else { return nil }
        let description = fields["description"].flatMap { r.string($0.value, "description")?.value } ?? ""
        var match = Match.any
        if let m = fields["match"] { match = decodeMatch(m.value, rule: name.value, &r) }
        var when: Spanned<String>?
        if let w = fields["when"], let text = r.string(w.value, "when") {
            var location = text.location
            if case .scalar(_, true) = w.value.kind { location = location.advanced(by: 1) }
            when = Spanned(text.value, at: location)
        }
        guard let outcomeNode = fields["outcome"], let outcome = decodeOutcome(outcomeNode.value, &r) else { return nil }
        var expiry: Int?
        if let e = fields["expires"] {
            expiry = r.duration(e.value, "expires")?.value
            guard case .require = outcome else {
                r.error(.invalidValue, e.value.location, "rule '\(name.value)': expires applies only to a require outcome")
                return nil
            }
            if expiry == 0 { r.error(.invalidValue, e.value.location, "rule '\(name.value)': expires must be longer than 0s") }
        }
        return Rule(
            name: name.value, description: description, match: match, when: when, outcome: outcome, location: name.location,
            approvalExpirySeconds: expiry)
    }

    private static func decodeOutcome(_ node: YAMLNode, _ r: inout NodeReader) -> Outcome? {
        if case .scalar(let text, _) = node.kind {
            switch text {
            case "allow": return .allow
            case "deny": return .deny
            default:
                r.error(.invalidValue, node.location, "outcome must be allow, deny or {require: ...}")
                return nil
            }
        }
        guard let fields = r.mapping(node, "outcome", allowed: ["require"], required: ["require"]),
              let requirement = fields["require"].flatMap({ decodeRequirement($0.value, depth: 0, &r) })
        else { return nil }
        return .require(requirement)
    }

    static func decodeRequirement(_ node: YAMLNode, depth: Int, _ r: inout NodeReader) -> Requirement? {
        guard depth < 4 else {
            r.error(.limitExceeded, node.location, "approval requirements nest at most 4 levels")
            return nil
        }
        guard let fields = r.mapping(node, "approval requirement", allowed: ["group", "count", "all", "any"]) else { return nil }
        if let g = fields["group"] {
            if fields["all"] != nil || fields["any"] != nil {
                r.error(.invalidValue, node.location, "an approval requirement is either {group, count} or {all: [...]} or {any: [...]}")
                return nil
            }
            guard let group = r.name(g.value, "group name") else { return nil }
            guard let c = fields["count"] else {
                r.error(.missingField, node.location, "approval requirement for group '\(group.value)' needs a count")
                return nil
            }
            guard let count = r.integer(c.value, "count", range: 1...64) else { return nil }
            return .group(group, count: count.value)
        }
        if fields["count"] != nil {
            r.error(.invalidValue, node.location, "count belongs with group")
            return nil
        }
        for (key, combine) in [("all", true), ("any", false)] {
            guard let list = fields[key] else { continue }
            if fields.count > 1 {
                r.error(.invalidValue, node.location, "use either all or any, not both")
                return nil
            }
            guard let items = r.sequence(list.value, key), !items.isEmpty, items.count <= 16 else {
                r.error(.invalidValue, list.value.location, "\(key) needs 1 to 16 requirements")
                return nil
            }
            let children = items.compactMap { decodeRequirement($0, depth: depth + 1, &r) }
            guard children.count == items.count else { return nil }
            return combine ? .all(children) : .any(children)
        }
        r.error(.missingField, node.location, "approval requirement needs group and count, or all, or any")
        return nil
    }

    private static let matchFields = [
        "kind", "initiator", "vault", "chain", "asset", "destination", "amount", "amount_usd", "fee", "call", "message",
        "during", "outside", "within", "exceeds", "operation",
    ]

    private static func decodeMatch(_ node: YAMLNode, rule: String, _ r: inout NodeReader) -> Match {
        var match = Match.any
        guard let fields = r.mapping(node, "match of rule '\(rule)'", allowed: matchFields) else { return match }
        if let n = fields["kind"] {
            match.kinds = r.names(n.value, "kind")
            for k in match.kinds ?? [] where PolicyRequest.Kind(rawValue: k.value) == nil || k.value == "governance" {
                r.error(.invalidValue, k.location, "kind must be transfer, contract_call, deploy or message (governance rules use operation)")
            }
        }
        if let n = fields["initiator"], let f = r.mapping(n.value, "initiator", allowed: ["users", "roles", "kind"]) {
            match.initiatorUsers = f["users"].map { r.names($0.value, "user") }
            match.initiatorRoles = f["roles"].map { r.names($0.value, "role") }
            if let k = f["kind"], let text = r.string(k.value, "kind") {
                match.initiatorKind = Principal.Kind(rawValue: text.value)
                if match.initiatorKind == nil { r.error(.invalidValue, k.value.location, "kind must be 'person' or 'bot'") }
            }
        }
        if let n = fields["vault"] { match.vaults = r.names(n.value, "vault") }
        if let n = fields["chain"] { match.chains = r.names(n.value, "chain") }
        if let n = fields["asset"] { match.assets = r.names(n.value, "asset") }
        if let n = fields["destination"] {
            if case .scalar("any", false) = n.value.kind {
                match.destination = nil
            } else if let f = r.mapping(n.value, "destination", allowed: ["entries", "tags", "counterparties", "known"]) {
                let known = f["known"].flatMap { r.bool($0.value, "known") }
                let d = DestinationMatch(
                    entries: f["entries"].map { r.names($0.value, "address book entry") } ?? [],
                    tags: f["tags"].map { r.names($0.value, "tag") } ?? [],
                    counterparties: f["counterparties"].map { r.names($0.value, "counterparty") } ?? [],
                    known: known, location: n.value.location)
                if d.isOnlyKnownness && known == nil {
                    r.error(.missingField, n.value.location, "destination needs entries, tags, counterparties or known (or write 'any')")
                }
                if !d.isOnlyKnownness && known == false {
                    r.error(.invalidValue, n.value.location, "known: false cannot be combined with entries, tags or counterparties (they are all known)")
                }
                match.destination = d
            }
        }
        match.amount = fields["amount"].flatMap { decodeRange($0.value, "amount", &r) }
        match.amountUSD = fields["amount_usd"].flatMap { decodeRange($0.value, "amount_usd", &r) }
        match.fee = fields["fee"].flatMap { decodeRange($0.value, "fee", &r) }
        if let n = fields["call"], let f = r.mapping(n.value, "call", allowed: ["targets", "functions"]) {
            match.call = CallMatch(
                targets: f["targets"].map { r.names($0.value, "call target") },
                functions: f["functions"].map { r.names($0.value, "function") },
                location: n.value.location)
        }
        if let n = fields["message"] { match.message = decodeMessageMatch(n.value, &r) }
        match.during = fields["during"].flatMap { decodeTime($0.value, "during", &r) }
        match.outside = fields["outside"].flatMap { decodeTime($0.value, "outside", &r) }
        match.within = fields["within"].map { r.names($0.value, "limit") } ?? []
        match.exceeds = fields["exceeds"].map { r.names($0.value, "limit") } ?? []
        if let n = fields["operation"] {
            let ops = r.names(n.value, "operation")
            for op in ops where GovernanceOperation.Action(rawValue: op.value) == nil {
                r.error(.invalidValue, op.location,
                        "unknown operation '\(op.value)'; one of \(GovernanceOperation.Action.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            match.operations = ops
        }
        return match
    }

    private static func decodeMessageMatch(_ node: YAMLNode, _ r: inout NodeReader) -> MessageMatch? {
        guard let f = r.mapping(node, "message", allowed: ["format", "domain", "primary_type"]) else { return nil }
        var m = MessageMatch(location: node.location)
        if let n = f["format"] {
            m.formats = r.names(n.value, "message format")
            for format in m.formats ?? [] where PolicyRequest.Message.Format(rawValue: format.value) == nil {
                r.error(.invalidValue, format.location,
                        "message format must be one of \(PolicyRequest.Message.Format.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let n = f["domain"], let d = r.mapping(n.value, "domain", allowed: ["name", "version", "chainId", "verifyingContract"]) {
            m.domainNames = d["name"].map { texts($0.value, "domain name", &r) }
            m.domainVersions = d["version"].map { texts($0.value, "domain version", &r) }
            m.chainIds = d["chainId"].map { r.names($0.value, "chain id") }
            for id in m.chainIds ?? [] where FixedDecimal(parsing: id.value) == nil || id.value.contains(".") {
                r.error(.invalidValue, id.location, "chainId must be a whole number, not '\(id.value)'")
            }
            m.verifyingContracts = d["verifyingContract"].map { r.names($0.value, "verifying contract") }
        }
        m.primaryTypes = f["primary_type"].map { r.names($0.value, "primary type") }
        if m.formats == nil && m.domainNames == nil && m.domainVersions == nil && m.chainIds == nil
            && m.verifyingContracts == nil && m.primaryTypes == nil {
            r.error(.missingField, node.location, "message needs format, domain or primary_type")
        }
        return m
    }

    /// A string or a list of strings, as written (EIP-712 domain names such as "USD Coin" are
    /// not policy names).
    private static func texts(_ node: YAMLNode, _ what: String, _ r: inout NodeReader) -> [Spanned<String>] {
        if case .scalar = node.kind { return r.string(node, what).map { [$0] } ?? [] }
        guard let items = r.sequence(node, "\(what) list") else { return [] }
        return items.compactMap { r.string($0, what) }
    }

    private static func decodeRange(_ node: YAMLNode, _ what: String, _ r: inout NodeReader) -> AmountRange? {
        guard let f = r.mapping(node, what, allowed: ["over", "at_least", "up_to", "under"]) else { return nil }
        if f.isEmpty {
            r.error(.missingField, node.location, "\(what) needs over, at_least, up_to or under")
            return nil
        }
        return AmountRange(
            over: f["over"].flatMap { r.decimal($0.value, "\(what).over")?.value },
            atLeast: f["at_least"].flatMap { r.decimal($0.value, "\(what).at_least")?.value },
            upTo: f["up_to"].flatMap { r.decimal($0.value, "\(what).up_to")?.value },
            under: f["under"].flatMap { r.decimal($0.value, "\(what).under")?.value },
            location: node.location)
    }

    static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    private static func decodeTime(_ node: YAMLNode, _ what: String, _ r: inout NodeReader) -> TimeWindow? {
        guard let f = r.mapping(node, what, allowed: ["zone", "days", "hours"], required: ["zone"]) else { return nil }
        guard let zoneNode = f["zone"], let zone = r.string(zoneNode.value, "zone") else { return nil }
        guard let offset = parseOffset(zone.value) else {
            r.error(.invalidValue, zone.location, "zone must be UTC or a fixed offset such as +01:00 or -05:00")
            return nil
        }
        var days = Set(0..<7)
        if let d = f["days"] {
            days = []
            for day in r.names(d.value, "day") {
                if let index = weekdays.firstIndex(of: day.value) {
                    days.insert(index)
                } else {
                    r.error(.invalidValue, day.location, "day must be one of \(weekdays.joined(separator: ", "))")
                }
            }
        }
        var from = 0
        var to = 24 * 60
        if let h = f["hours"], let text = r.string(h.value, "hours") {
            let parts = text.value.split(separator: "-")
            if parts.count == 2, let a = parseClock(parts[0]), let b = parseClock(parts[1]), a < b {
                from = a
                to = b
            } else {
                r.error(.invalidValue, text.location, "hours must look like 08:00-18:00 (start before end, 24:00 allowed as end)")
            }
        }
        return TimeWindow(offsetSeconds: offset, zone: zone.value, days: days, fromMinute: from, toMinute: to, location: node.location)
    }

    static func parseOffset(_ text: String) -> Int? {
        if text == "UTC" || text == "Z" { return 0 }
        let body = text.hasPrefix("UTC") ? String(text.dropFirst(3)) : text
        guard let sign = body.first, sign == "+" || sign == "-" else { return nil }
        guard let minutes = parseClock(body.dropFirst()), minutes <= 14 * 60 else { return nil }
        return (sign == "-" ? -1 : 1) * minutes * 60
    }

    static func parseClock(_ text: Substring) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m),
              h < 24 || m == 0
        else { return nil }
        return h * 60 + m
    }

    private static func decodeGovernance(_ node: YAMLNode, _ r: inout NodeReader) -> Governance? {
        guard let f = r.mapping(node, "governance", allowed: ["proposers", "quorum", "freeze", "operations", "timelocks"],
                                required: ["proposers", "quorum", "freeze"]) else { return nil }
        var users: [Spanned<String>] = []
        var roles: [Spanned<String>] = []
        if let p = f["proposers"], let pf = r.mapping(p.value, "proposers", allowed: ["users", "roles"]) {
            users = pf["users"].map { r.names($0.value, "user") } ?? []
            roles = pf["roles"].map { r.names($0.value, "role") } ?? []
        }
        var freezeRoles: [Spanned<String>] = []
        if let fr = f["freeze"], let ff = r.mapping(fr.value, "freeze", allowed: ["roles"], required: ["roles"]) {
            freezeRoles = ff["roles"].map { r.names($0.value, "role") } ?? []
        }
        guard let q = f["quorum"], let quorum = decodeRequirement(q.value, depth: 0, &r) else { return nil }
        var overrides: [Spanned<String>: Requirement] = [:]
        if let o = f["operations"] {
            for entry in r.namedMapping(o.value, "governance operations") {
                guard let action = GovernanceOperation.Action(rawValue: entry.key), action != .freeze else {
                    r.error(.invalidValue, entry.keyLocation, "'\(entry.key)' is not an operation whose quorum can be set")
                    continue
                }
                if let req = decodeRequirement(entry.value, depth: 0, &r) {
                    overrides[Spanned(entry.key, at: entry.keyLocation)] = req
                }
            }
        }
        var timelocks: [Spanned<String>: Int] = [:]
        if let t = f["timelocks"] {
            for entry in r.namedMapping(t.value, "governance timelocks") {
                guard let action = GovernanceOperation.Action(rawValue: entry.key), action != .freeze else {
                    r.error(.invalidValue, entry.keyLocation, "'\(entry.key)' is not an operation that can wait before it executes")
                    continue
                }
                guard let seconds = r.duration(entry.value, "the timelock of \(action.rawValue)")?.value else { continue }
                guard seconds >= 60, seconds <= 30 * 86_400 else {
                    r.error(.invalidValue, entry.value.location, "the timelock of \(action.rawValue) must be from 1m to 30d")
                    continue
                }
                timelocks[Spanned(entry.key, at: entry.keyLocation)] = seconds
            }
        }
        return Governance(proposerUsers: users, proposerRoles: roles, quorum: quorum, freezeRoles: freezeRoles, overrides: overrides,
                          timelocks: timelocks, location: node.location)
    }
}
