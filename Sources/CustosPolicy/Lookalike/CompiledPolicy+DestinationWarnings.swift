extension CompiledPolicy {
    /// The warnings about a request's destination (`PolicyDecision.warnings`): a look-alike of
    /// an address-book entry, and a destination planted by a dust transfer. Worded for people
    /// who are about to approve it; the rules decide what they mean.
    func destinationWarnings(_ c: EvaluationContext) -> [DestinationWarning] {
        var warnings: [DestinationWarning] = []
        if let r = c.resemblance {
            let e = entries[r.entry]
            let chain = e.chain >= 0 ? chains.names[e.chain] : "its chain"
            let why = switch r.reason {
            case .affixes(let prefix, let suffix): "the same first \(prefix) and last \(suffix) hex digits"
            case .editDistance(let d): "\(d) character edit\(d == 1 ? "" : "s") apart"
            }
            warnings.append(DestinationWarning(
                kind: .lookalike,
                text: "LOOK-ALIKE: \(Self.shortAddress(c.destinationAddress)) resembles \(e.name) (\(Self.shortAddress(e.address)) on \(chain)): "
                    + "\(why), but it is not in the address book on \(c.request.chain)",
                resembles: e.name))
        }
        if let p = c.poisoning {
            let direction = p.incoming ? "it sent \(p.transfer) to" : "\(p.transfer) was sent to it from"
            warnings.append(DestinationWarning(
                kind: .poisoned,
                text: "POISONED: \(Self.shortAddress(c.destinationAddress)) first appeared in the vault's history by a zero-value or dust transfer: "
                    + "\(direction) vault address \(Self.shortAddress(p.vaultAddress)) (block \(p.block), transaction \(Self.shortAddress(p.transaction))), "
                    + "reported at block time \(p.reportedAt), before any transfer the vault made to it",
                resembles: nil))
        }
        return warnings
    }

    /// An address as wallets show it: `0x` and its first 4 and last 4 hex digits; anything
    /// shorter than 14 characters as it is.
    static func shortAddress(_ address: String) -> String {
        guard address.utf8.count > 14 else { return address }
        return String(address.prefix(6)) + "…" + String(address.suffix(4))
    }
}

extension CompiledPolicy {
    /// The warnings `evaluate` would attach to `request`'s decision in `state`, without deciding
    /// it: for showing what the policy in force sees in a destination (a new address-book
    /// entry, before people approve it).
    public func destinationWarnings(for request: PolicyRequest, in state: StateSnapshot) -> [DestinationWarning] {
        destinationWarnings(EvaluationContext(policy: self, request: request, state: state))
    }
}
