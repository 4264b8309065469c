extension PolicyDocument {
    /// Seconds of block time `entry` waits, once added or changed, before it is usable: its
    /// `cooling_off` delay, 0 without the section.
    public func coolingOffSeconds(of entry: AddressBookEntry) -> Int {
        coolingOff?.delay(tags: entry.tags.map(\.value), counterparty: entry.counterparty) ?? 0
    }

    /// The default delay of `cooling_off`, 0 without the section: what a new destination waits
    /// at least, whatever its tags and counterparty say, unless it is the firm's own vault address.
    public var coolingOffDefaultSeconds: Int { coolingOff?.defaultSeconds ?? 0 }
}

extension PolicyDocument.AddressBookEntry {
    /// Whether `other` is this entry as it was: the same chain, address (compared as the
    /// evaluator compares them), counterparty and tags (in any order). Anything else restarts
    /// the entry's cooling-off.
    public func isUnchanged(from other: PolicyDocument.AddressBookEntry) -> Bool {
        isSameDestination(as: other) && counterparty == other.counterparty && Set(tags.map(\.value)) == Set(other.tags.map(\.value))
    }

    /// Whether `other` names the same chain and address (compared as the evaluator compares them).
    public func isSameDestination(as other: PolicyDocument.AddressBookEntry) -> Bool {
        isDestination(chain: other.chain.value, address: other.address)
    }

    /// Whether this entry goes to `address` on `chain` (compared as the evaluator compares them).
    public func isDestination(chain other: String, address otherAddress: String) -> Bool {
        chain.value == other && AddressNormalization.normalize(address) == AddressNormalization.normalize(otherAddress)
    }

    /// The chain and the address as the evaluator compares it, `chain/address`: what a
    /// security officer's cancellation is kept by, so that it follows the address through a
    /// rename, a removal and re-adding, or any other change of the entry.
    public var destinationKey: String { chain.value + "/" + AddressNormalization.normalize(address) }

    /// Whether this entry's address is one of `addresses` (compared as the evaluator compares them).
    public func isAddress(among addresses: [String]) -> Bool {
        let mine = AddressNormalization.normalize(address)
        return addresses.contains { AddressNormalization.normalize($0) == mine }
    }
}
