import CustosCore
import CustosPolicy

extension ReplicatedState {
    /// After policy change `operationId` replaced `old` by `new` at the state's block time: every
    /// entry of `new` that `old` lacks, or that changed (`isUnchanged(from:)`), starts cooling off
    /// now, for the longest of the two documents' delays for it and the old document's delay for
    /// the entry as it was — a change that also shortens the delay, or drops the tag or
    /// counterparty that set a long one, does not shorten its own entries' wait — and never
    /// ends before a wait it was still serving. An unchanged entry keeps its standing (a
    /// cancelled one stays cancelled); a removed entry loses it, so one added again starts anew —
    /// except a cancellation, which is kept by chain and address (`cancelledDestinations`): an
    /// entry at a cancelled address, renamed, re-tagged or added again, stays cancelled.
    ///
    /// The change that adds or changes an entry also chooses its tags and counterparty, so for
    /// every changed entry an override never shortens the wait below either document's default
    /// (security review H1, final review M1: a quorum tagging its own address `internal`),
    /// unless the address is one of the cluster's own vault addresses.
    ///
    /// A wait still running is also kept by chain and address (`coolingDestinations`, pruned by
    /// block time once it ends): an entry removed and added again, or renamed, by this or any
    /// later change waits at least until then (review of cool8, item 2).
    mutating func restartCoolingOff(from old: PolicyDocument, to new: PolicyDocument, operationId: String) throws(GovernanceError) {
        var running = coolingDestinations.filter { $0.value > time }
        for name in addressBookStandings.keys.sorted() {
            let standing = addressBookStandings[name]!
            guard standing.isCoolingOff(at: time), let key = old.addressBook.first(where: { $0.name == name })?.destinationKey else { continue }
            running[key] = max(running[key] ?? 0, standing.usableFrom)
        }
        var standings: [String: AddressBookStanding] = [:]
        let own = vaults.keys.sorted().flatMap { id in vaults[id]!.rootAddresses.map(\.address) + vaults[id]!.addresses.map(\.address) }
        for entry in new.addressBook {
            let before = old.addressBook.first(where: { $0.name == entry.name })
            if let before, entry.isUnchanged(from: before) {
                standings[entry.name] = addressBookStandings[entry.name]
                continue
            }
            // The longest of what the old policy set for the entry as it was and as it is, and
            // what the new one sets for it (final review M1: dropping a 72h counterparty must not
            // shorten the wait to the default).
            var delay = max(old.coolingOffSeconds(of: entry), new.coolingOffSeconds(of: entry), before.map { old.coolingOffSeconds(of: $0) } ?? 0)
            // Any change of an entry, new tags or counterparty included, waits at least the
            // default: a re-tag to `internal` is no way around it (final review M1), unless
            // the address is one of the cluster's own vault addresses.
            if !entry.isAddress(among: own) {
                delay = max(delay, old.coolingOffDefaultSeconds, new.coolingOffDefaultSeconds)
            }
            // A wait still running never ends earlier for the change.
            var usableFrom = time + UInt64(delay) * 1000
            if let previous = addressBookStandings[entry.name], previous.isCoolingOff(at: time) { usableFrom = max(usableFrom, previous.usableFrom) }
            if let kept = running[entry.destinationKey] { usableFrom = max(usableFrom, kept) }
            var standing = AddressBookStanding(entry: entry.name, operationId: operationId, since: time, usableFrom: usableFrom)
            standing.cancelled = cancelledDestinations[entry.destinationKey]
            standings[entry.name] = standing
        }
        // Bounded by what waits after the change (the kept waits and the new book's entries
        // still cooling off), and only a change that makes it grow past the bound is refused: a
        // change that adds no wait (one that tightens a limit, or removes an address) always
        // passes, so the bound never locks the quorum out of the policy (review helper-81 M2).
        // (`running` already holds every address waiting before the change.)
        var after = Set(running.keys)
        for entry in new.addressBook where standings[entry.name]?.isCoolingOff(at: time) == true { after.insert(entry.destinationKey) }
        guard after.count <= Self.maximumCoolingDestinations || after.count == running.count else {
            throw GovernanceError(.invalidChange, "\(after.count) addresses would be cooling off at once, more than \(Self.maximumCoolingDestinations): "
                + "wait until some are usable or waive them before adding more entries")
        }
        addressBookStandings = standings
        coolingDestinations = running
    }

    /// How many chain-and-address waits `coolingDestinations` keeps at most: a policy change
    /// that would keep more is refused.
    static let maximumCoolingDestinations = 4096

    /// A security officer cancels `entry` during its cooling-off: it never becomes usable, nor
    /// does any entry a later policy change puts at its chain and address, until the quorum
    /// waives it (`waiveCoolingOff`). Only a person holding one of the policy's freeze roles
    /// may, and only while the entry still waits.
    mutating func cancelCoolingOff(entry: String, by officer: String, operationId: String) throws(GovernanceError) {
        let officers = freezeRoles
        guard isSecurityOfficer(officer) else {
            throw GovernanceError(.notPermitted, "\(officer.printable(limit: 64)) may not cancel address book entry \(entry.printable(limit: 64)): only holders of "
                + (officers.isEmpty ? "a freeze role" : officers.joined(separator: ", ")) + " may")
        }
        var standing = try coolingStanding(entry, "cancelled")
        let decision = AddressBookStanding.Decision(user: officer, operationId: operationId, at: time)
        standing.cancelled = decision
        addressBookStandings[entry] = standing
        if let key = document.addressBook.first(where: { $0.name == entry })?.destinationKey { cancelledDestinations[key] = decision }
    }

    /// The quorum waives `entry`'s cooling-off, or a security officer's cancellation of it: it
    /// is usable from now, recorded with the operation; a cancellation of its chain and address
    /// is lifted. Only while the entry still goes to the `chain` and `address` the approvers
    /// signed and stands as policy change `standing` put it: a waiver approved for one
    /// destination never clears another that a later change put under the same name (final
    /// review H1). Only while its cancellation is the one `lifts` names (empty: not cancelled):
    /// approvals given before a security officer cancelled the entry never lift that
    /// cancellation (security review M2).
    mutating func waiveCoolingOff(entry: String, chain: String, address: String, standing expected: String, lifts: String, proposer: String,
                                  operationId: String) throws(GovernanceError) {
        var standing = try coolingStanding(entry, "waived", cancelledToo: true)
        let current = document.addressBook.first(where: { $0.name == entry })!
        guard current.isDestination(chain: chain, address: address) else {
            throw GovernanceError(.invalidChange, "the waiver names \(entry.printable(limit: 64)) on \(chain.printable(limit: 64)) at \(address.printable(limit: 128)), "
                + "but the entry now goes to \(current.chain.value) \(current.address): nothing is waived; propose a waiver for what it names now")
        }
        guard standing.operationId == expected else {
            throw GovernanceError(.invalidChange, "the waiver names \(entry.printable(limit: 64)) as put by operation \(expected.printable(limit: 64)), "
                + "but policy change \(standing.operationId) changed it since: nothing is waived; propose a waiver for what it is now")
        }
        let cancellation = standing.cancelled?.operationId ?? ""
        guard cancellation == lifts else {
            let named = lifts.isEmpty ? "no cancellation" : "the cancellation by operation \(lifts.printable(limit: 64))"
            let actual = standing.cancelled.map { "it was cancelled by \($0.user) (operation \($0.operationId))" } ?? "it is not cancelled"
            throw GovernanceError(.invalidChange, "the waiver of \(entry.printable(limit: 64)) lifts \(named), but \(actual): nothing is waived; "
                + "propose a waiver naming the cancellation it lifts")
        }
        // The cancellation kept by chain and address is the entry's own (one entry per chain and
        // address); a waiver never lifts one it does not name (review helper-81 M1).
        if let recorded = cancelledDestinations[current.destinationKey], recorded.operationId != lifts {
            throw GovernanceError(.invalidChange, "the waiver of \(entry.printable(limit: 64)) lifts "
                + (lifts.isEmpty ? "no cancellation" : "the cancellation by operation \(lifts.printable(limit: 64))")
                + ", but its chain and address were cancelled by \(recorded.user) (operation \(recorded.operationId)): nothing is waived")
        }
        standing.cancelled = nil
        standing.waived = AddressBookStanding.Decision(user: proposer, operationId: operationId, at: time)
        addressBookStandings[entry] = standing
        if let key = document.addressBook.first(where: { $0.name == entry })?.destinationKey {
            cancelledDestinations[key] = nil
            coolingDestinations[key] = nil
        }
    }

    /// The standing of an entry that is cooling off now (or, `cancelledToo`, was cancelled), or
    /// why it is not.
    private func coolingStanding(_ entry: String, _ act: String, cancelledToo: Bool = false) throws(GovernanceError) -> AddressBookStanding {
        guard document.addressBook.contains(where: { $0.name == entry }) else {
            throw GovernanceError(.invalidChange, "the address book has no entry \"\(entry.printable(limit: 64))\"")
        }
        guard let standing = addressBookStandings[entry] else {
            throw GovernanceError(.invalidChange, "address book entry \(entry) is in the genesis policy and has no cooling-off to be \(act)")
        }
        if let cancelled = standing.cancelled {
            if cancelledToo { return standing }
            throw GovernanceError(.invalidChange, "address book entry \(entry) was cancelled by \(cancelled.user) (operation \(cancelled.operationId)); "
                + "only the quorum's waiver (waive-cooling-off) lifts it")
        }
        if let waived = standing.waived {
            throw GovernanceError(.invalidChange, "the cooling-off of address book entry \(entry) was waived by operation \(waived.operationId)")
        }
        guard standing.isCoolingOff(at: time) else {
            throw GovernanceError(.invalidChange, "address book entry \(entry) is usable since \(UTCTime.text(Int64(standing.usableFrom / 1000))); "
                + "its cooling-off can no longer be \(act)")
        }
        return standing
    }

    /// The entry `request` goes to and its hold, when the hold refuses the request at the state's
    /// block time: exactly what the policy's decision would deny it for
    /// (`CompiledPolicy.destinationHold(of:in:)` on the requests room's snapshot).
    public func heldDestination(of request: PolicyRequest) -> (entry: String, hold: DestinationHold)? {
        policy.destinationHold(of: request, in: requestAuthority.snapshot(for: request, blockTime: time))
    }
}
