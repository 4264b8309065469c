import CustosPolicy

extension ReplicatedState {
    /// For a policy change: what the policy in force sees in each address-book entry the new
    /// document adds (an address and chain the current book lacks) — a look-alike of an entry it
    /// has, or an address a dust transfer planted in a vault's history — one line per warning,
    /// naming the new entry. Empty for any other change, or a document that does not decode.
    /// Adding such an entry is how a poisoned address would get past the rules that deny it,
    /// so the people approving the change see it first. The address book serves every
    /// environment, so every environment's watch room is read (review of fin14 L6); a warning
    /// only some rooms give names their watchers.
    public func addressBookWarnings(of change: GovernanceChange) -> [String] {
        guard case .changePolicy(let yaml, _) = change, let document = try? PolicyDocument.decode(yaml: yaml) else { return [] }
        func request(_ entry: PolicyDocument.AddressBookEntry) -> PolicyRequest {
            PolicyRequest(kind: .transfer, initiator: "", chain: entry.chain.value, destination: entry.address)
        }
        let current = Set(policy.document.addressBook.compactMap { request($0).destinationKey })
        let authority = requestAuthority
        var lines: [String] = []
        for entry in document.addressBook {
            let candidate = request(entry)
            guard let key = candidate.destinationKey, !current.contains(key) else { continue }
            var texts: [String] = []
            var rooms: [String: [DeploymentEnvironment]] = [:]
            for environment in DeploymentEnvironment.allCases {
                let snapshot = authority.snapshot(for: candidate, blockTime: time, environment: environment)
                for warning in policy.destinationWarnings(for: candidate, in: snapshot) {
                    if rooms[warning.text] == nil { texts.append(warning.text) }
                    rooms[warning.text, default: []].append(environment)
                }
            }
            lines += texts.map { text in
                let some = rooms[text]!.count < DeploymentEnvironment.allCases.count
                return "new address-book entry \(entry.name): \(text)" + (some ? " (\(rooms[text]!.map(\.rawValue).joined(separator: ", ")) watchers)" : "")
            }
        }
        return lines
    }
}
