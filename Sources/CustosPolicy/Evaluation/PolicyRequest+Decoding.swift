import CustosCore

extension PolicyRequest {
    /// Reads a request from the verified JSON value of a signed request's body, as every node
    /// decides it: from the value itself, with no text written and no YAML parser. Numbers read
    /// as RFC 8785 writes them (amounts belong in strings); a string, number or boolean reads as
    /// text where text is expected. Diagnostics carry positions in the body's canonical text.
    /// Otherwise as `decode(json:)`.
    public init(json value: JSONValue) throws(PolicyLoadError) {
        self = try Self.decode(YAMLNode(canonicalJSON: value, limits: .request))
    }

    /// Reads a request from JSON (or YAML) text, as `custos policy explain --request` takes it,
    /// with diagnostics positioned in that text:
    ///
    ///     {"id": "r1", "kind": "transfer", "initiator": "risk-bot", "vault": "hot-trading",
    ///      "chain": "ethereum", "asset": "USDC", "amount": "250000", "fee": "0.002",
    ///      "destination": "0x…", "recipients": ["0x…"], "approvals": ["alice"],
    ///      "call": {"target": "0x…", "function": "approve", "args": {"spender": "0x…"},
    ///               "amounts": {"amount": "1000"}},
    ///      "operation": {"action": "change_policy", "target": "v13"}}
    ///
    /// Unknown fields are errors. A numeric call argument too large for a decimal is kept as
    /// "oversized" so that rules reading it fail closed.
    public static func decode(json text: String) throws(PolicyLoadError) -> PolicyRequest {
        try decode(SafeYAML.parse(text, limits: .request))
    }

    private static func decode(_ root: YAMLNode) throws(PolicyLoadError) -> PolicyRequest {
        var r = NodeReader()
        var request = PolicyRequest(initiator: "")
        let allowed = ["id", "kind", "initiator", "vault", "account", "chain", "asset", "amount", "fee", "destination",
                       "recipients", "call", "operation", "memo", "approvals"]
        guard let f = r.mapping(root, "the request", allowed: allowed, required: ["initiator"]) else {
            throw PolicyLoadError(r.diagnostics)
        }
        func field(_ key: String) -> String? { f[key].flatMap { r.string($0.value, key)?.value } }
        request.id = field("id") ?? ""
        if let k = f["kind"], let kind = r.string(k.value, "kind") {
            if let parsed = Kind(rawValue: kind.value), parsed != .message, parsed != .deploy {
                request.kind = parsed
            } else if kind.value == Kind.deploy.rawValue {
                r.error(.invalidValue, k.value.location,
                        "a deployment is read from its deploy body, whose init code every node checks itself; it has no policy form to write")
            } else if kind.value == Kind.message.rawValue {
                r.error(.invalidValue, k.value.location,
                        "a message request is read from its message body, which every node decodes itself; it has no policy form to write")
            } else {
                r.error(.invalidValue, k.value.location, "kind must be transfer, contract_call or governance")
            }
        }
        request.initiator = field("initiator") ?? ""
        request.vault = field("vault") ?? ""
        request.account = field("account") ?? ""
        request.chain = field("chain") ?? ""
        request.asset = field("asset") ?? ""
        request.destination = field("destination") ?? ""
        request.memo = field("memo") ?? ""
        if let a = f["amount"] { request.amount = r.decimal(a.value, "amount")?.value ?? .zero }
        if let a = f["fee"] { request.fee = r.decimal(a.value, "fee")?.value ?? .zero }
        if let a = f["recipients"], let items = r.sequence(a.value, "recipients") {
            request.recipients = items.compactMap { r.string($0, "recipient")?.value }
        }
        if let a = f["approvals"], let items = r.sequence(a.value, "approvals") {
            request.approvals = items.compactMap { r.string($0, "approver")?.value }
        }
        if let c = f["call"], let cf = r.mapping(c.value, "call", allowed: ["target", "function", "selector", "args", "amounts"], required: ["target", "function"]) {
            var call = ContractCall(
                target: cf["target"].flatMap { r.string($0.value, "target")?.value } ?? "",
                function: cf["function"].flatMap { r.string($0.value, "function")?.value } ?? "",
                selector: cf["selector"].flatMap { r.string($0.value, "selector")?.value } ?? "")
            if let a = cf["args"], case .mapping(let entries) = a.value.kind {
                for e in entries { call.arguments[e.key] = r.string(e.value, "argument \(e.key)")?.value }
            } else if let a = cf["args"] {
                r.error(.wrongType, a.value.location, "args must be a mapping")
            }
            if let a = cf["amounts"], case .mapping(let entries) = a.value.kind {
                for e in entries {
                    guard case .scalar(let t, _) = e.value.kind else {
                        r.error(.wrongType, e.value.location, "amount \(e.key) must be a number")
                        continue
                    }
                    if let d = FixedDecimal(parsing: t) {
                        call.amounts[e.key] = d
                    } else if !t.isEmpty, t.utf8.count <= 100, t.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }) {
                        call.oversizedAmounts.insert(e.key)
                    } else {
                        r.error(.wrongType, e.value.location, "amount \(e.key) must be a decimal number")
                    }
                }
            } else if let a = cf["amounts"] {
                r.error(.wrongType, a.value.location, "amounts must be a mapping")
            }
            request.call = call
            if f["kind"] == nil { request.kind = .contractCall }
        }
        if let o = f["operation"], let of = r.mapping(o.value, "operation", allowed: ["action", "target"], required: ["action"]) {
            if let a = of["action"], let action = r.string(a.value, "action") {
                if let parsed = GovernanceOperation.Action(rawValue: action.value) {
                    request.operation = GovernanceOperation(parsed, target: of["target"].flatMap { r.string($0.value, "target")?.value } ?? "")
                } else {
                    r.error(.invalidValue, a.value.location, "unknown operation '\(action.value)'")
                }
            }
            if f["kind"] == nil { request.kind = .governance }
        }
        if request.kind == .governance && f["operation"] == nil {
            r.error(.missingField, root.location, "a governance request needs an operation")
        }
        if request.kind != .governance && request.operation != nil {
            r.error(.invalidValue, root.location, "only governance requests carry an operation")
        }
        if !r.diagnostics.isEmpty { throw PolicyLoadError(r.diagnostics) }
        return request
    }
}
