extension CompiledPolicy {
    /// The warnings about the addresses a request sends value or authority to
    /// (`PolicyDecision.warnings`): each look-alike of an address-book entry, and each address
    /// planted by a dust transfer, in the order of `EvaluationContext.recipients`. Worded for
    /// people who are about to approve it; the rules decide what they mean.
    func destinationWarnings(_ c: EvaluationContext) -> [DestinationWarning] {
        var warnings: [DestinationWarning] = []
        let chainText = bookChains(of: c.request, state: c.state)?.joined(separator: " or ") ?? "any chain"
        for flag in c.flags {
            let role = flag.address == c.destinationAddress ? "" : " (named by the request, not its destination)"
            if let r = flag.resemblance {
                let e = entries[r.entry]
                let chain = e.chain >= 0 ? chains.names[e.chain] : "its chain"
                let but = flag.inAddressBook
                    ? "and both are in the address book: one of them may be a planted look-alike; remove the wrong one"
                    : "but it is not in the address book on \(chainText)"
                warnings.append(DestinationWarning(
                    kind: .lookalike,
                    text: "LOOK-ALIKE: \(Self.shortAddress(flag.address))\(role) resembles \(e.name) (\(Self.shortAddress(e.address)) on \(chain)): "
                        + "\(r.reason.words), \(but)",
                    resembles: e.name))
            }
            if let p = flag.poisoning {
                let direction = p.incoming ? "it sent \(p.transfer) to" : "\(p.transfer) was sent to it from"
                warnings.append(DestinationWarning(
                    kind: .poisoned,
                    text: "POISONED: \(Self.shortAddress(flag.address))\(role) first appeared in the vault's history by a zero-value or dust transfer: "
                        + "\(direction) vault address \(Self.shortAddress(p.vaultAddress)) (block \(p.block), transaction \(Self.shortAddress(p.transaction))), "
                        + "reported\(p.reporter.isEmpty ? "" : " by \(p.reporter)") at block time \(p.reportedAt), before any transfer the vault made to it",
                    resembles: nil))
            } else if let (chain, f) = flag.flood {
                let by = f.reporter.isEmpty ? "" : ", reported by \(f.reporter)"
                let text = if let transaction = f.transaction {
                    "POISONED: \(Self.shortAddress(flag.address))\(role) first appeared in the vault's history in a flood of \(f.members) dust transfers "
                        + "on \(chain): transaction \(transaction) (block \(f.block)\(by)) sent zero-value or dust transfers between a vault address and "
                        + "\(f.members) counterparties beyond those flagged one by one"
                } else {
                    "POISONED: \(Self.shortAddress(flag.address))\(role) first appeared in the vault's history in a flood of dust transfers "
                        + "on \(chain): one of \(f.members) counterparties\(by) in blocks \(f.block)–\(f.lastBlock), beyond the flood transactions "
                        + "the watch room keeps a record of (their transactions are not kept)"
                }
                warnings.append(DestinationWarning(kind: .poisoned, text: text, resembles: nil))
            }
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
