import CustosPolicy

extension ReplicatedState {
    /// For a policy change: what the policy in force sees in each address-book entry the new
    /// document adds (an address and chain the current book lacks) — a look-alike of an entry it
    /// has, or an address a dust transfer planted in a vault's history — one line per warning,
    /// naming the new entry. Empty for any other change, or a document that does not decode.
    /// Adding such an entry is how a poisoned address would get past the rules that deny it,
    /// so the people approving the change see it first.
    public func addressBookWarnings(of change: GovernanceChange) -> [String] {
        guard case .changePolicy(let yaml, _) = change, let document = try? PolicyDocument.decode(yaml: yaml) else { return [] }
        func request(_ entry: PolicyDocument.AddressBookEntry) -> PolicyRequest {
            PolicyRequest(kind: .transfer, initiator: "", chain: entry.chain.value, destination: entry.address)
        }
        let current = Set(policy.document.addressBook.compactMap { request($0).destinationKey })
        var lines: [String] = []
        for entry in document.addressBook {
            let candidate = request(entry)
            guard let key = candidate.destinationKey, !current.contains(key) else { continue }
            let warnings = policy.destinationWarnings(for: candidate, in: snapshot(for: candidate, at: time))
            lines += warnings.map { "new address-book entry \(entry.name): \($0.text)" }
        }
        return lines
    }
}
