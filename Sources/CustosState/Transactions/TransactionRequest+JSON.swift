import CustosCore

extension TransactionRequest {
    /// Whether a request body is a transfer, contract call or deployment of this shape: its
    /// `kind` is `transfer`, `contract_call` or `deploy` and it names the source address
    /// (`from`). Bodies of those kinds without `from` are read by the policy's own request form,
    /// which can be decided but never signed.
    public static func isTransaction(_ body: JSONValue) -> Bool {
        guard case .string(let kind)? = body["kind"], Kind(rawValue: kind) != nil else { return false }
        return body["from"] != nil
    }

    /// Reads a transfer or contract call from the verified JSON value of a request body. Refuses,
    /// with `invalidRequest` and a reason naming the member at fault: a body that is not an
    /// object, unknown or missing members, members that are not strings, text beyond the bounds,
    /// amounts that are not plain decimal strings (JSON numbers included: the canonical body
    /// writes numbers as doubles), calldata that is not hex or is longer than
    /// `maximumDataBytes`. Transfers carry `asset` and `amount`, contract calls `value` and `data`,
    /// deployments `value`, no `to`, and what `ContractDeployment.init(members:)` reads.
    public init(json body: JSONValue) throws(GovernanceError) {
        guard case .object = body else { throw Self.invalid("the request body is a \(body.typeName), not an object") }
        guard case .string(let kindName)? = body["kind"], let kind = Kind(rawValue: kindName) else {
            throw Self.invalid("kind must be \"transfer\", \"contract_call\" or \"deploy\"")
        }
        let allowed: Set<String>
        let required: [String]
        switch kind {
        case .transfer:
            allowed = ["kind", "id", "initiator", "vault", "from", "chain", "asset", "to", "amount", "memo"]
            required = ["initiator", "vault", "from", "chain", "asset", "to", "amount"]
        case .contractCall:
            allowed = ["kind", "id", "initiator", "vault", "from", "chain", "to", "value", "data", "memo"]
            required = ["initiator", "vault", "from", "chain", "to", "data"]
        case .deploy:
            allowed = Set(["kind", "id", "initiator", "vault", "from", "chain", "value", "memo"]).union(ContractDeployment.jsonMembers)
            required = ["initiator", "vault", "from", "chain", "init_code", "runtime_code_hash", "expected_state"]
        }
        let members = try body.members("the request body", allowed: allowed, required: required, invalid: Self.invalid)
        func text(_ key: String, limit: Int = Self.maximumNameBytes, default value: String? = nil) throws(GovernanceError) -> String {
            guard let member = members[key] ?? value.map(JSONValue.string) else { throw Self.invalid("\(key) is missing") }
            guard case .string(let string) = member else { throw Self.invalid("\(key) is a \(member.typeName), not a string") }
            guard string.utf8.count <= limit else { throw Self.invalid("\(key) is longer than \(limit) bytes") }
            return string
        }
        func nonEmpty(_ key: String) throws(GovernanceError) -> String {
            let value = try text(key)
            guard !value.isEmpty else { throw Self.invalid("\(key) is empty") }
            return value
        }
        let amountKey = kind == .transfer ? "amount" : "value"
        let amount = try text(amountKey, limit: Self.maximumAmountBytes, default: kind == .transfer ? nil : "0")
        guard Self.isDecimal(amount) else {
            throw Self.invalid("\(amountKey) \"\(amount.printable(limit: 32))\" is not a decimal number such as \"1.5\"")
        }
        var data: [UInt8] = []
        var asset = ""
        var deployment: ContractDeployment? = nil
        switch kind {
        case .transfer:
            asset = try nonEmpty("asset")
        case .contractCall:
            let hex = try text("data", limit: 2 + 2 * Self.maximumDataBytes)
            do { data = try [UInt8](hex: hex) } catch { throw Self.invalid("data is not hex: \(error.reason)") }
            guard data.count <= Self.maximumDataBytes else { throw Self.invalid("data is longer than \(Self.maximumDataBytes) bytes") }
        case .deploy:
            deployment = try ContractDeployment(members: members)
        }
        let id = try text("id", default: "")
        let initiator = try nonEmpty("initiator")
        let vault = try nonEmpty("vault")
        let from = try nonEmpty("from")
        let chain = try nonEmpty("chain")
        let to = kind == .deploy ? "" : try nonEmpty("to")
        let memo = try text("memo", limit: Self.maximumMemoBytes, default: "")
        self.init(kind: kind, id: id, initiator: initiator, vault: vault, from: from, chain: chain, asset: asset, to: to, amount: amount,
                  data: data, memo: memo, deployment: deployment)
    }

    /// Digits with at most one `.` between digits: no sign, exponent, separators or spaces.
    static func isDecimal(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }
    }

    static func invalid(_ reason: String) -> GovernanceError {
        GovernanceError(.invalidRequest, "the transaction request is refused: \(reason)")
    }
}
