extension CompiledPolicy {
    /// The look-alike and poisoned tests on `normalized` (a normalized address) for a request on
    /// `chain` in `state`, or nil when neither holds. An address in the address book on the
    /// chain is governed and never flagged; a message names no chain, so for one (`chain`
    /// empty) an address on any chain's book is in it. The request-level flags
    /// (`request.destination_lookalike`, `destination_poisoned`) and the functions
    /// `address_lookalike`, `address_poisoned` and `address_resembles` all read this one test.
    func flag(_ normalized: String, chain: String, state: StateSnapshot) -> RecipientFlag? {
        guard !normalized.isEmpty, !isInAddressBook(normalized, chain: chain) else { return nil }
        let resemblance = lookalikes.resemblance(of: normalized)
        let poisoning = poisoning(of: normalized, chain: chain, state: state)
        guard resemblance != nil || poisoning != nil else { return nil }
        return RecipientFlag(address: normalized, resemblance: resemblance, poisoning: poisoning)
    }

    /// Why the poisoned test of an address that no report flagged has no answer on `chain` in
    /// `state`, or nil when it has one: with `poisoning.max_staleness` set, the chain's watch
    /// coverage is older than that in block time, or there is none (review M4: a silenced
    /// watcher must not read as "nothing happened"). A message names no chain: every chain of
    /// the policy that watchers ever covered must be fresh.
    func watchStaleness(chain: String, state: StateSnapshot) -> String? {
        guard let bound = document.poisoning.maxStalenessSeconds else { return nil }
        let limit = "older than poisoning.max_staleness \(Self.durationText(bound))"
        for name in chain.isEmpty ? chains.names.filter({ state.watchCoverage[$0] != nil }) : [chain] {
            guard let coverage = state.watchCoverage[name] else {
                return "no watch data for \(name): no watcher report covers its blocks, so whether an address is poisoned is unknown"
            }
            if state.time - coverage.reportedAt > Int64(bound) {
                return "the watch data for \(name) is stale: it covers blocks up to \(coverage.block) by a report at \(UTCTime.text(coverage.reportedAt)), "
                    + limit + ", so whether an address is poisoned is unknown"
            }
        }
        return nil
    }

    /// The poisoned test of `addresses` (normalized) as a condition reads it: true when one is
    /// flagged; else an evaluation failure when one is outside the address book and the watch
    /// data is stale (`watchStaleness`); else false.
    func isPoisoned(_ addresses: [String], chain: String, state: StateSnapshot) throws(EvaluationFailure) -> Bool {
        if addresses.contains(where: { !$0.isEmpty && !isInAddressBook($0, chain: chain) && poisoning(of: $0, chain: chain, state: state) != nil }) {
            return true
        }
        if addresses.contains(where: { !$0.isEmpty && !isInAddressBook($0, chain: chain) }),
           let problem = watchStaleness(chain: chain, state: state) {
            throw EvaluationFailure(problem)
        }
        return false
    }

    /// Whether `normalized` is an address of an address-book entry on `chain`, or on any chain
    /// when `chain` is empty.
    func isInAddressBook(_ normalized: String, chain: String) -> Bool {
        chain.isEmpty ? entriesAtAddress[normalized] != nil : entryByAddress[AddressKey(chain: chain, address: normalized)] != nil
    }

    /// The first zero-value or dust transfer a watcher reported with `normalized` on `chain` (on
    /// the policy's chains in their order for a message), unless a request to it other than the
    /// one being decided was approved for signing in an earlier second of block time than the
    /// report (security review M2: a request's own approval never exempts its destination).
    func poisoning(of normalized: String, chain: String, state: StateSnapshot) -> AddressAppearance? {
        for name in chain.isEmpty ? chains.names : [chain] {
            let key = name + "/" + normalized
            guard let appearance = state.appearances[key] else { continue }
            if let paid = state.destinations[key]?.firstPayment(excluding: state.decidingRequest), paid < appearance.reportedAt { continue }
            return appearance
        }
        return nil
    }
}
