import CustosCore

extension CompiledExpression {
    /// Evaluates the expression. Total: returns a value or an `EvaluationFailure` (missing map
    /// key, absent contract call, decimal overflow, division by zero), never traps. Linear in
    /// the expression's size times the longest request list (comprehensions do not nest).
    func evaluate(_ c: borrowing EvaluationContext, _ variable: ExpressionValue?) throws(EvaluationFailure) -> ExpressionValue {
        switch self {
        case .constant(let v):
            return v
        case .field(let path):
            return try Self.read(path, c)
        case .variable:
            guard let variable else { throw EvaluationFailure("variable used outside exists/all") }
            return variable
        case .stringMapGet(let map, let key):
            guard case .stringMap(let m) = try map.evaluate(c, variable), case .string(let k) = try key.evaluate(c, variable) else {
                throw EvaluationFailure("type mismatch")
            }
            guard let v = m[k] else { throw Self.missingKey(k, numeric: false, c.request) }
            return .string(v)
        case .decimalMapGet(let map, let key):
            guard case .decimalMap(let m) = try map.evaluate(c, variable), case .string(let k) = try key.evaluate(c, variable) else {
                throw EvaluationFailure("type mismatch")
            }
            guard let v = m[k] else { throw Self.missingKey(k, numeric: true, c.request) }
            return .decimal(v)
        case .hasCall:
            return .bool(c.request.call != nil)
        case .hasOperation:
            return .bool(c.request.operation != nil)
        case .hasMessage:
            return .bool(c.request.message != nil)
        case .hasMapKey(let map, let key):
            switch try map.evaluate(c, variable) {
            case .stringMap(let m): return .bool(m[key] != nil)
            case .decimalMap(let m):
                return .bool(m[key] != nil || Self.isOversized(key, c.request))
            default: throw EvaluationFailure("type mismatch")
            }
        case .not(let e):
            return .bool(!(try e.bool(c, variable)))
        case .negate(let e):
            guard let n = try e.decimal(c, variable).negated() else { throw EvaluationFailure("decimal overflow") }
            return .decimal(n)
        case .and(let l, let r):
            // CEL semantics: false wins over an error on either side.
            let left: Bool
            do { left = try l.bool(c, variable) } catch {
                if try r.bool(c, variable) == false { return .bool(false) }
                throw error
            }
            if !left { return .bool(false) }
            return .bool(try r.bool(c, variable))
        case .or(let l, let r):
            let left: Bool
            do { left = try l.bool(c, variable) } catch {
                if try r.bool(c, variable) { return .bool(true) }
                throw error
            }
            if left { return .bool(true) }
            return .bool(try r.bool(c, variable))
        case .conditional(let condition, let then, let otherwise):
            return try condition.bool(c, variable) ? then.evaluate(c, variable) : otherwise.evaluate(c, variable)
        case .equal(let l, let r, let negated):
            let equal = try l.evaluate(c, variable).equals(r.evaluate(c, variable))
            return .bool(equal != negated)
        case .compareDecimal(let op, let l, let r):
            let a = try l.decimal(c, variable)
            let b = try r.decimal(c, variable)
            return .bool(Self.compare(op, a, b))
        case .compareString(let op, let l, let r):
            let a = try l.string(c, variable)
            let b = try r.string(c, variable)
            return .bool(Self.compare(op, Array(a.utf8).lexicographicallyPrecedes(b.utf8) ? -1 : a == b ? 0 : 1))
        case .arithmetic(let op, let l, let r):
            let a = try l.decimal(c, variable)
            let b = try r.decimal(c, variable)
            let result: FixedDecimal?
            switch op {
            case .add: result = a.adding(b)
            case .subtract: result = a.subtracting(b)
            case .multiply: result = a.multiplied(by: b)
            case .divide: result = a.divided(by: b)
            case .remainder: result = a.remainder(dividingBy: b)
            }
            guard let result else {
                throw EvaluationFailure(b.raw == 0 && (op == .divide || op == .remainder) ? "division by zero" : "decimal overflow")
            }
            return .decimal(result)
        case .inList(let element, let list):
            let e = try element.evaluate(c, variable)
            switch try list.evaluate(c, variable) {
            case .strings(let items):
                guard case .string(let s) = e else { return .bool(false) }
                return .bool(items.contains(s))
            case .list(let items):
                return .bool(items.contains { $0.equals(e) })
            default:
                throw EvaluationFailure("type mismatch")
            }
        case .inMap(let key, let map):
            let k = try key.string(c, variable)
            switch try map.evaluate(c, variable) {
            case .stringMap(let m): return .bool(m[k] != nil)
            case .decimalMap(let m): return .bool(m[k] != nil)
            default: throw EvaluationFailure("type mismatch")
            }
        case .size(let e):
            let n: Int
            switch try e.evaluate(c, variable) {
            case .string(let s): n = s.unicodeScalars.count
            case .strings(let l): n = l.count
            case .list(let l): n = l.count
            case .stringMap(let m): n = m.count
            case .decimalMap(let m): n = m.count
            default: throw EvaluationFailure("type mismatch")
            }
            return .decimal(FixedDecimal(n)!)
        case .startsWith(let s, let p):
            return .bool(try s.string(c, variable).hasPrefix(p.string(c, variable)))
        case .endsWith(let s, let p):
            return .bool(try s.string(c, variable).hasSuffix(p.string(c, variable)))
        case .exists(let list, let predicate), .all(let list, let predicate):
            let wantAll: Bool
            if case .all = self { wantAll = true } else { wantAll = false }
            var failure: EvaluationFailure?
            func visit(_ item: ExpressionValue) -> Bool? {
                do {
                    let holds = try predicate.bool(c, item)
                    if holds != wantAll { return !wantAll }
                } catch {
                    failure = error
                }
                return nil
            }
            switch try list.evaluate(c, variable) {
            case .strings(let items):
                guard items.count <= Self.maxComprehensionLength else { throw EvaluationFailure("list too long for exists/all") }
                for item in items { if let r = visit(.string(item)) { return .bool(r) } }
            case .list(let items):
                guard items.count <= Self.maxComprehensionLength else { throw EvaluationFailure("list too long for exists/all") }
                for item in items { if let r = visit(item) { return .bool(r) } }
            default:
                throw EvaluationFailure("type mismatch")
            }
            if let failure { throw failure }
            return .bool(wantAll)
        case .addressTags(let address):
            return try Self.addressTags(address.string(c, variable), c)
        case .addressLookalike(let address), .addressPoisoned(let address), .addressResembles(let address):
            return try addressFlag(address.string(c, variable), c)
        case .parseDecimal(let text):
            let s = try text.string(c, variable)
            guard let d = FixedDecimal(parsing: s) else { throw EvaluationFailure("'\(s.prefix(40))' is not a decimal") }
            return .decimal(d)
        }
    }

    /// `exists`/`all` over a longer list is an evaluation error (fails closed), so the cost of a
    /// condition is bounded whatever the request carries.
    static let maxComprehensionLength = 1_024

    @inline(__always)
    func bool(_ c: borrowing EvaluationContext, _ variable: ExpressionValue?) throws(EvaluationFailure) -> Bool {
        guard case .bool(let b) = try evaluate(c, variable) else { throw EvaluationFailure("type mismatch") }
        return b
    }

    @inline(__always)
    func decimal(_ c: borrowing EvaluationContext, _ variable: ExpressionValue?) throws(EvaluationFailure) -> FixedDecimal {
        guard case .decimal(let d) = try evaluate(c, variable) else { throw EvaluationFailure("type mismatch") }
        return d
    }

    @inline(__always)
    func string(_ c: borrowing EvaluationContext, _ variable: ExpressionValue?) throws(EvaluationFailure) -> String {
        guard case .string(let s) = try evaluate(c, variable) else { throw EvaluationFailure("type mismatch") }
        return s
    }

    private static func compare(_ op: Comparison, _ a: FixedDecimal, _ b: FixedDecimal) -> Bool {
        switch op {
        case .less: return a < b
        case .lessOrEqual: return a <= b
        case .greater: return a > b
        case .greaterOrEqual: return a >= b
        }
    }

    private static func compare(_ op: Comparison, _ order: Int) -> Bool {
        switch op {
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        }
    }

    /// `address_tags(a)`: the tags of `address`'s entries on every chain. Tags of an entry that
    /// may not be used yet are no reason to trust it (cooling-off review M2: an approval or
    /// permit to an entry still waiting): a hold on any of them fails closed. Kept out of
    /// `evaluate`, like the address flags below, so that its frame stays small.
    @inline(never)
    private static func addressTags(_ address: String, _ c: borrowing EvaluationContext) throws(EvaluationFailure) -> ExpressionValue {
        let a = AddressNormalization.normalize(address)
        if let held = c.policy.heldEntry(at: a, chain: "", state: c.state) {
            throw EvaluationFailure("address_tags: \(held.hold.text(entry: c.policy.entries[held.entry].name))")
        }
        return .strings(c.policy.tagsByAddress[a] ?? [])
    }

    /// `address_lookalike(a)`, `address_poisoned(a)` or `address_resembles(a)` (this expression
    /// says which) of `address`, for a request on the request's chain.
    @inline(never)
    private func addressFlag(_ address: String, _ c: borrowing EvaluationContext) throws(EvaluationFailure) -> ExpressionValue {
        let a = AddressNormalization.normalize(address)
        switch self {
        case .addressPoisoned: return .bool(try c.policy.isPoisoned([a], of: c.request, state: c.state))
        case .addressLookalike: return .bool(c.policy.flag(a, request: c.request, state: c.state)?.resemblance != nil)
        default: return .string(c.policy.flag(a, request: c.request, state: c.state)?.resemblance.map { c.policy.entries[$0.entry].name } ?? "")
        }
    }

    /// Whether `key` names a numeric argument or message field too large for a decimal.
    private static func isOversized(_ key: String, _ r: PolicyRequest) -> Bool {
        r.call?.oversizedAmounts.contains(key) == true || r.message?.oversizedAmounts.contains(key) == true
    }

    /// Why a map lookup found nothing: an absent key, or a number too large to compare. Kept out
    /// of `evaluate` so that its frame, which recursion multiplies, stays small.
    private static func missingKey(_ k: String, numeric: Bool, _ r: PolicyRequest) -> EvaluationFailure {
        if r.message != nil {
            if numeric && isOversized(k, r) {
                return EvaluationFailure("message field '\(k.printable(limit: 80))' is too large to compare (e.g. an unlimited permit)")
            }
            return EvaluationFailure("the message has no \(numeric ? "integer " : "")field '\(k.printable(limit: 80))'")
        }
        if numeric && isOversized(k, r) {
            return EvaluationFailure("argument '\(k)' is too large to compare (e.g. an unlimited approval)")
        }
        return EvaluationFailure("the contract call has no \(numeric ? "amount " : "")argument '\(k)'")
    }

    private static func read(_ path: RequestSchema.FieldPath, _ c: borrowing EvaluationContext) throws(EvaluationFailure) -> ExpressionValue {
        let r = c.request
        switch path {
        case .object(let o):
            if o == .call, r.call == nil { throw EvaluationFailure("the request is not a contract call") }
            if o == .operation, r.operation == nil { throw EvaluationFailure("the request is not a governance operation") }
            if o == .message, r.message == nil { throw EvaluationFailure("the request is not a message") }
            if o == .domain, r.message?.domain == nil { throw EvaluationFailure("the request is not EIP-712 typed data") }
            return .object
        case .string(let f):
            switch f {
            case .id: return .string(r.id)
            case .kind: return .string(r.kind.rawValue)
            case .initiator: return .string(r.initiator)
            case .initiatorKind: return .string(c.initiatorKind?.rawValue ?? "unknown")
            case .vault: return .string(r.vault)
            case .account: return .string(r.account)
            case .chain: return .string(r.chain)
            case .asset: return .string(r.asset)
            case .memo: return .string(r.memo)
            case .initiatorKeyClass: return .string(c.initiatorKey?.keyClass.rawValue ?? "")
            case .destinationAddress: return .string(c.destinationAddress)
            case .destinationName: return .string(c.destinationName)
            case .destinationCounterparty: return .string(c.destinationCounterparty)
            case .destinationResembles: return .string(c.resemblance.map { c.policy.entries[$0.entry].name } ?? "")
            case .callTarget, .callFunction, .callSelector:
                guard let call = r.call else { throw EvaluationFailure("the request is not a contract call") }
                switch f {
                case .callTarget: return .string(AddressNormalization.normalize(call.target))
                case .callFunction: return .string(call.function)
                default: return .string(call.selector)
                }
            case .operationAction, .operationTarget:
                guard let op = r.operation else { throw EvaluationFailure("the request is not a governance operation") }
                return .string(f == .operationAction ? op.action.rawValue : op.target)
            case .messageFormat, .messageText, .messagePrimaryType:
                guard let message = r.message else { throw EvaluationFailure("the request is not a message") }
                switch f {
                case .messageFormat: return .string(message.format.rawValue)
                case .messageText:
                    guard let text = message.text else { throw EvaluationFailure("the message is not EIP-191 UTF-8 text") }
                    return .string(text)
                default:
                    guard let type = message.primaryType else { throw EvaluationFailure("the message is not EIP-712 typed data") }
                    return .string(type)
                }
            case .domainName, .domainVersion, .domainVerifyingContract, .domainSalt:
                guard let domain = r.message?.domain else { throw EvaluationFailure("the request is not EIP-712 typed data") }
                let (value, name): (String?, String)
                switch f {
                case .domainName: (value, name) = (domain.name, "name")
                case .domainVersion: (value, name) = (domain.version, "version")
                case .domainVerifyingContract: (value, name) = (domain.verifyingContract, "verifyingContract")
                default: (value, name) = (domain.salt, "salt")
                }
                guard let value else { throw EvaluationFailure("the EIP-712 domain has no \(name)") }
                return .string(value)
            case .weekday: return .string(PolicyDocument.weekdays[c.weekday])
            }
        case .decimal(let f):
            switch f {
            case .amount: return .decimal(r.amount)
            case .fee: return .decimal(r.fee)
            case .amountUSD:
                guard let usd = c.amountUSD else { throw EvaluationFailure(c.usdProblem ?? "no USD notional") }
                return .decimal(usd)
            case .hour: return .decimal(FixedDecimal(c.minuteOfDay / 60)!)
            case .minute: return .decimal(FixedDecimal(c.minuteOfDay % 60)!)
            case .unixTime:
                guard let t = FixedDecimal(Int(c.state.time)) else { throw EvaluationFailure("time out of range") }
                return .decimal(t)
            case .messageLength:
                guard let message = r.message else { throw EvaluationFailure("the request is not a message") }
                guard let length = FixedDecimal(message.length) else { throw EvaluationFailure("length out of range") }
                return .decimal(length)
            case .initiatorKeyAgeDays:
                guard let key = c.initiatorKey else { throw EvaluationFailure("\(r.initiator) has no request-signing key of known age in the state") }
                return .decimal(FixedDecimal(Int(key.ageDays))!)
            case .destinationLargestUSD:
                return .decimal(c.destinationHistory?.largestUSD ?? .zero)
            case .domainChainId:
                guard let domain = r.message?.domain else { throw EvaluationFailure("the request is not EIP-712 typed data") }
                guard let text = domain.chainId else { throw EvaluationFailure("the EIP-712 domain has no chainId") }
                guard let id = FixedDecimal(parsing: text) else { throw EvaluationFailure("the domain's chainId is too large to compare") }
                return .decimal(id)
            }
        case .bool(let f):
            switch f {
            case .destinationKnown: return .bool(c.entry >= 0)
            case .initiatorKeyOverdue: return .bool(c.initiatorKey.map { $0.status != .current } ?? false)
            case .initiatorKeyPastGrace: return .bool(c.initiatorKey?.status == .pastGrace)
            case .destinationFirstSeen: return .bool(c.destinationHistory == nil)
            case .destinationTouchedByOffboarded: return .bool(c.destinationMonitored)
            case .destinationLookalike: return .bool(c.resemblance != nil)
            case .destinationPoisoned:
                if c.isPoisoned { return .bool(true) }
                return .bool(try c.policy.isPoisoned(c.recipients, of: r, state: c.state))
            }
        case .list(let f):
            switch f {
            case .initiatorRoles: return .strings(c.initiator >= 0 ? c.policy.principals[c.initiator].roleNames : [])
            case .approvals: return .strings(r.approvals)
            case .destinationTags: return .strings(c.destinationTags)
            case .recipients: return .strings(c.recipients)
            }
        case .stringMap(.callArgs):
            guard let call = r.call else { throw EvaluationFailure("the request is not a contract call") }
            return .stringMap(call.arguments)
        case .decimalMap(.callAmounts):
            guard let call = r.call else { throw EvaluationFailure("the request is not a contract call") }
            return .decimalMap(call.amounts)
        case .stringMap(.messageFields):
            guard let message = r.message else { throw EvaluationFailure("the request is not a message") }
            return .stringMap(message.fields)
        case .decimalMap(.messageAmounts):
            guard let message = r.message else { throw EvaluationFailure("the request is not a message") }
            return .decimalMap(message.amounts)
        }
    }
}
