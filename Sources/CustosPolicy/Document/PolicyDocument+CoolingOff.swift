extension PolicyDocument {
    /// Seconds of block time `entry` waits, once added or changed, before it is usable: its
    /// `cooling_off` delay, 0 without the section.
    public func coolingOffSeconds(of entry: AddressBookEntry) -> Int {
        coolingOff?.delay(tags: entry.tags.map(\.value), counterparty: entry.counterparty) ?? 0
    }
}

extension PolicyDocument.AddressBookEntry {
    /// Whether `other` is this entry as it was: the same chain, address (compared as the
    /// evaluator compares them), counterparty and tags (in any order). Anything else restarts
    /// the entry's cooling-off.
    public func isUnchanged(from other: PolicyDocument.AddressBookEntry) -> Bool {
        chain.value == other.chain.value && AddressNormalization.normalize(address) == AddressNormalization.normalize(other.address)
            && counterparty == other.counterparty && Set(tags.map(\.value)) == Set(other.tags.map(\.value))
    }
}
