extension PolicyChecker {
    /// The fewest fresh price sources a policy with USD clauses may rely on: with three, one
    /// source that lies or lags cannot move the median beyond the honest ones.
    static let minimumUSDSources = 3

    /// Checks on what a rule can cover, reported per rule and field:
    ///
    /// - **transfers only** (warning): a deny or require rule without `kind:`, call or message
    ///   clause covers transfers only, not contract calls that move the same tokens.
    /// - **undecodable function** (warning; never fires when no listed function is decodable):
    ///   a call clause naming a function the chain layer never reports
    ///   (`PolicyRequest.ContractCall.decodedFunctions`).
    /// - **open typed data** (error): an allow rule that can cover EIP-712 messages without
    ///   naming their `primary_type` and the domain's `verifyingContract` or `name` would let any
    ///   typed data through — EIP-3009 `TransferWithAuthorization`, EIP-2612 `Permit`, Safe
    ///   `SafeTx`, ERC-4337 user operations.
    /// - **thin prices** (error): a USD clause (`amount_usd`, or `within`/`exceeds` of a limit
    ///   with `max_usd`) under `prices.min_sources` below `minimumUSDSources`.
    static func checkCoverage(_ policy: CompiledPolicy, _ out: inout [PolicyDiagnostic]) {
        for rule in policy.rules where !rule.governance {
            let written = policy.document.rules.first { $0.name == rule.name }?.match
            checkTransfersOnly(rule, written, &out)
            checkFunctions(rule, written, &out)
            checkTypedData(rule, &out)
            checkPriceSources(rule, written, policy, &out)
        }
    }

    private static func checkTransfersOnly(_ rule: CompiledRule, _ written: PolicyDocument.Match?, _ out: inout [PolicyDiagnostic]) {
        guard let written, written.kinds == nil, written.call == nil, written.message == nil else { return }
        if case .allow = rule.effect { return }
        out.append(.warning(.transfersOnly, at: rule.location,
                            "rule '\(rule.name)' names no kind, so it covers transfers only, not contract calls that move the same tokens; add kind: [transfer, contract_call] to cover both"))
    }

    private static func checkFunctions(_ rule: CompiledRule, _ written: PolicyDocument.Match?, _ out: inout [PolicyDiagnostic]) {
        guard let functions = written?.call?.functions else { return }
        let undecodable = functions.filter { !PolicyRequest.ContractCall.decodedFunctions.contains($0.value) }
        guard let first = undecodable.first else { return }
        let names = undecodable.map { "'\($0.value)'" }.joined(separator: ", ")
        if undecodable.count == functions.count {
            out.append(.warning(.neverFires, at: first.location,
                                "rule '\(rule.name)' can never apply: call.functions names only functions the decoder never reports (\(names)); a call to them is seen as 'unknown'"))
        } else {
            out.append(.warning(.undecodableFunction, at: first.location,
                                "rule '\(rule.name)': call.functions names \(names), which the decoder never reports (a call to them is seen as 'unknown')"))
        }
    }

    private static func checkTypedData(_ rule: CompiledRule, _ out: inout [PolicyDiagnostic]) {
        guard case .allow = rule.effect, rule.kinds & PolicyCompiler.kindBit(.message) != 0 else { return }
        let clause = rule.message
        if let formats = clause?.formats, !formats.contains(.eip712) { return }
        let typed = clause?.primaryTypes != nil
        let domain = clause?.verifyingContracts != nil || clause?.domainNames != nil
        guard !typed || !domain else { return }
        let missing = [typed ? nil : "message.primary_type", domain ? nil : "message.domain.verifyingContract (or name)"]
            .compactMap { $0 }.joined(separator: " and ")
        out.append(.error(.openTypedData, at: rule.location,
                          "rule '\(rule.name)' allows EIP-712 typed data of any kind (EIP-3009 TransferWithAuthorization, Permit, SafeTx, ERC-4337 user operations): add \(missing), or leave eip712 out of message.format"))
    }

    private static func checkPriceSources(
        _ rule: CompiledRule, _ written: PolicyDocument.Match?, _ policy: CompiledPolicy, _ out: inout [PolicyDiagnostic]
    ) {
        let sources = policy.document.prices.minSources
        guard sources < minimumUSDSources else { return }
        var clauses: [(String, SourceLocation)] = []
        if let range = written?.amountUSD { clauses.append(("amount_usd", range.location)) }
        for (field, names) in [("within", written?.within ?? []), ("exceeds", written?.exceeds ?? [])] {
            for name in names where policy.document.limits.contains(where: { $0.name == name.value && $0.maxUSD != nil }) {
                clauses.append(("\(field) \(name.value) (a USD limit)", name.location))
            }
        }
        guard let (clause, location) = clauses.first else { return }
        out.append(.error(.thinPrices, at: location,
                          "rule '\(rule.name)': its \(clause) needs prices.min_sources of at least \(minimumUSDSources), the policy has \(sources)"))
    }
}
