extension CompiledPolicy {
    /// The look-alike and poisoned tests on `normalized` (a normalized address) named by
    /// `request` in `state`, or nil when neither holds. The address book is the one of the
    /// request's chain (`bookChains`: for a message, of the chains its EIP-712 domain names, else
    /// of any chain). The request-level flags
    /// (`request.destination_lookalike`, `destination_poisoned`) and the functions
    /// `address_lookalike`, `address_poisoned` and `address_resembles` all read this one test.
    ///
    /// An address in the address book is governed, so it is never poisoned (a dust sender the
    /// firm really pays is added to the book); but it is a look-alike when it shares the affixes
    /// of another entry: a planted address the quorum was led to add beside the real one (final
    /// review helper-72 M1), so once in the book it is still denied where look-alikes are, and
    /// so is the entry it copies, until the quorum removes the wrong one. Only the affix test:
    /// a planted address is made by searching for the affixes (no one can search out 38 equal
    /// digits of 40), while honest contracts a firm lists are often near each other by edits
    /// (Base's WETH `0x4200…0006` and bridge `0x4200…0010`: review helper-76 M1). An address
    /// that is in the book only on another chain is a look-alike of that entry (helper-72 L3).
    func flag(_ normalized: String, request: PolicyRequest, state: StateSnapshot) -> RecipientFlag? {
        guard !normalized.isEmpty else { return nil }
        let chain = request.chain
        if isInAddressBook(normalized, chains: bookChains(of: request, state: state)) {
            return lookalikes.resemblance(of: normalized, affixesOnly: true).map {
                RecipientFlag(address: normalized, inAddressBook: true, resemblance: $0, poisoning: nil, flood: nil)
            }
        }
        let resemblance = lookalikes.resemblance(of: normalized)
            ?? entriesAtAddress[normalized]?.first.map { AddressResemblance(entry: $0, reason: .otherChain) }
        let poisoning = poisoning(of: normalized, chain: chain, state: state)
        let flood = poisoning == nil ? flood(of: normalized, chain: chain, state: state) : nil
        guard resemblance != nil || poisoning != nil || flood != nil else { return nil }
        return RecipientFlag(address: normalized, inAddressBook: false, resemblance: resemblance, poisoning: poisoning, flood: flood)
    }

    /// Why the poisoned test of an address that no report flagged has no answer for `request`
    /// in `state`, or nil when it has one, on each chain `watchedChains` names: the chain's watch
    /// room overflowed (its flood set is full: security reviews H1, H-2); or,
    /// with `poisoning.max_staleness` set (10 minutes by default in a `poisoning` section), on a chain
    /// with a registered asset (one a watcher can cover and the cluster can pay on: review H-3),
    /// the chain's effective coverage (`EffectiveWatchCoverage`: how far `poisoning.min_watchers`
    /// watchers each reported, review helper-58 M2) is older than that (its
    /// own timestamp against the block time, review M1), or nothing covers the chain (review M4:
    /// a silenced watcher must not read as "nothing happened"), or a message's domain names a
    /// chain id no registered chain has while some chain is registered. Without the bound, such a message is judged on every
    /// chain's overflow, as one naming no chain id (third review: its flags are looked up on
    /// every chain, so an overflow anywhere leaves it without an answer).
    /// An overflow exempts no destination, paid before or not (`WatchOverflow`).
    func watchUnknown(for request: PolicyRequest, state: StateSnapshot) -> String? {
        let bound = document.poisoning.maxStalenessSeconds
        let names: [String]
        if let watched = watchedChains(of: request, state: state) {
            names = watched
        } else {
            // With no registered asset at all nothing can be watched (nor paid): as without a bound.
            guard bound == nil || state.chainIds.isEmpty else {
                return "the message's EIP-712 domain names chainId \(request.message?.domain?.chainId ?? ""), which no registered chain has, "
                    + "so whether an address is poisoned is unknown"
            }
            names = Self.everyWatchedChain(state)
        }
        for name in names {
            if let overflow = state.watchOverflows[name] {
                return "the watch room of \(name) overflowed at block \(overflow.block) (transaction \(overflow.transaction)): its flood set was full, "
                    + "\(overflow.unflagged) dust counterpart\(overflow.unflagged == 1 ? "y was" : "ies were") left out, "
                    + "so whether an address is poisoned is unknown until the quorum clears the overflow"
            }
            guard let bound, state.chainIds[name] != nil else { continue }
            let watchers = state.watchCoverage[name] ?? [:]
            // This policy's min_watchers, not the one in force: a dry-run or a proposed policy
            // reads the same per-watcher coverages (`ReplicatedState.watchCoverage` is this, under
            // the policy in force).
            let minimum = document.poisoning.minWatchers
            guard let coverage = EffectiveWatchCoverage(watchers, minWatchers: minimum) else {
                if watchers.isEmpty {
                    return "no watch data for \(name): no watcher report covers its blocks (poisoning.min_watchers is \(minimum)), so whether an address is poisoned is unknown"
                }
                return "no watch data for \(name): poisoning.min_watchers is \(minimum), but only \(EffectiveWatchCoverage.words(watchers)) "
                    + "cover\(watchers.count == 1 ? "s" : "") it, so whether an address is poisoned is unknown"
            }
            if state.time - coverage.blockTime > Int64(bound) {
                let reached = minimum == 1 ? "it covers" : "\(minimum) watchers (poisoning.min_watchers) cover"
                return "the watch data for \(name) is stale: \(reached) blocks up to \(coverage.block), of \(UTCTime.text(coverage.blockTime)) "
                    + "(\(EffectiveWatchCoverage.words(watchers))), older than poisoning.max_staleness \(Self.durationText(bound)), "
                    + "so whether an address is poisoned is unknown"
            }
        }
        return nil
    }

    /// The policy's staleness bound in words, for `custos policy check` (review H-3: an operator
    /// sees that it is there, and what it does), or nil without a `poisoning` section.
    public var stalenessLine: String? {
        document.poisoning.maxStalenessSeconds.map {
            "poisoning.max_staleness \(Self.durationText($0)), min_watchers \(document.poisoning.minWatchers): on a chain with a registered asset, "
                + "watch data older than that (or fewer watchers' data) leaves the poisoned test of an address outside the address book unknown, "
                + "so rules reading it fail closed"
        }
    }

    /// What a `poisoning` section does not check, for `custos policy check` (review helper-58 L4),
    /// or nil without one: on a cluster with no registered asset nothing is checked for staleness.
    public var unwatchedLine: String? {
        document.poisoning.maxStalenessSeconds.map { _ in
            "with no registered asset (as `make run`) no chain is watched and nothing is checked for staleness: "
                + "register the EVM assets and run \(document.poisoning.minWatchers + 1) watchers per chain (min_watchers + 1: "
                + "with exactly \(document.poisoning.minWatchers), any one stopping stalls the chain until the quorum clears its coverage)"
        }
    }

    /// The chains whose watch data answers the poisoned test for `request`, sorted: its own
    /// chain; for a message (which names none), the registered chains whose chain id its EIP-712
    /// domain names (nil when none has it), or without one every registered chain and every
    /// chain some watcher covered or that overflowed (review M4: a chain never covered is not
    /// skipped).
    func watchedChains(of request: PolicyRequest, state: StateSnapshot) -> [String]? {
        guard request.chain.isEmpty else { return [request.chain] }
        if let id = request.message?.domain?.chainId {
            let names = state.chainIds.filter { $0.value == id }.map(\.key).sorted()
            return names.isEmpty ? nil : names
        }
        return Self.everyWatchedChain(state)
    }

    /// Every registered chain and every chain watchers covered, that overflowed or has a flood
    /// set, sorted.
    static func everyWatchedChain(_ state: StateSnapshot) -> [String] {
        Set(state.chainIds.keys).union(state.watchCoverage.keys).union(state.watchOverflows.keys).union(state.watchFloods.keys).sorted()
    }

    /// The chains a message's addresses (no chain of their own) are looked up on for flags and
    /// flood members: every watched chain (registered, as the staleness check reads them:
    /// review helper-54 L1) and every chain the policy names, sorted.
    func messageChains(_ state: StateSnapshot) -> [String] {
        Set(Self.everyWatchedChain(state)).union(chains.names).sorted()
    }

    /// The poisoned test of `addresses` (normalized) that `request` names, as a condition reads
    /// it: true when one is flagged or a flood's member; else an evaluation failure when one is outside the address
    /// book and the watch data gives no answer (`watchUnknown`); else false.
    func isPoisoned(_ addresses: [String], of request: PolicyRequest, state: StateSnapshot) throws(EvaluationFailure) -> Bool {
        let chain = request.chain
        let book = bookChains(of: request, state: state)
        if addresses.contains(where: {
            !$0.isEmpty && !isInAddressBook($0, chains: book)
                && (poisoning(of: $0, chain: chain, state: state) != nil || flood(of: $0, chain: chain, state: state) != nil)
        }) {
            return true
        }
        if addresses.contains(where: { !$0.isEmpty && !isInAddressBook($0, chains: book) }),
           let problem = watchUnknown(for: request, state: state) {
            throw EvaluationFailure(problem)
        }
        return false
    }

    /// Whether `normalized` is an address of an address-book entry on one of `chains`, or on any
    /// chain when `chains` is nil.
    func isInAddressBook(_ normalized: String, chains: [String]?) -> Bool {
        guard let chains else { return entriesAtAddress[normalized] != nil }
        return chains.contains { entryByAddress[AddressKey(chain: $0, address: normalized)] != nil }
    }

    /// The chains whose address book holds the addresses `request` names, or nil for every
    /// chain: its own chain; for a message (no chain of its own) whose EIP-712 domain names the
    /// chain id of registered chains, those, since a permit for Arbitrum is not governed by an
    /// entry on Ethereum (review helper-76 L1); for any other message, every chain.
    func bookChains(of request: PolicyRequest, state: StateSnapshot) -> [String]? {
        guard request.chain.isEmpty else { return [request.chain] }
        guard let id = request.message?.domain?.chainId else { return nil }
        let names = state.chainIds.filter { $0.value == id }.map(\.key).sorted()
        return names.isEmpty ? nil : names
    }

    /// The first zero-value or dust transfer a watcher reported with `normalized` on `chain` (on
    /// `messageChains` in their order for a message). The vault having paid the address
    /// before exempts nothing (security review M2: a report can come late, and a request
    /// approved for signing may never have been broadcast); the quorum clears a false flag
    /// (`clear-watch-flag`).
    func poisoning(of normalized: String, chain: String, state: StateSnapshot) -> AddressAppearance? {
        for name in chain.isEmpty ? messageChains(state) : [chain] {
            if let appearance = state.appearances[name + "/" + normalized] { return appearance }
        }
        return nil
    }

    /// The flood whose dust transfers made `normalized` a member of the flood set of `chain`
    /// (of `messageChains` in their order for a message), and that chain.
    func flood(of normalized: String, chain: String, state: StateSnapshot) -> (chain: String, flood: WatchFlood)? {
        for name in chain.isEmpty ? messageChains(state) : [chain] {
            if let flood = state.watchFloods[name]?.flood(of: name + "/" + normalized) { return (name, flood) }
        }
        return nil
    }
}
