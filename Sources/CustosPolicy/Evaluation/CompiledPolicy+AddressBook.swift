extension CompiledPolicy {
    /// The name of the address-book entry `request`'s destination is on its chain (addresses
    /// compared as the evaluator compares them), or nil when it is in none.
    public func addressBookEntry(of request: PolicyRequest) -> String? {
        let index = entryIndex(chain: request.chain, destination: request.destination, normalized: AddressNormalization.normalize(request.destination))
        return index >= 0 ? entries[index].name : nil
    }

    /// The index of the entry at `normalized` (the normalized `destination`) on `chain`, or -1
    /// (also for an empty destination).
    func entryIndex(chain: String, destination: String, normalized: String) -> Int {
        destination.isEmpty ? -1 : entryByAddress[AddressKey(chain: chain, address: normalized)] ?? -1
    }

    /// The entry `request` goes to or names and the hold that makes `evaluate` deny it in
    /// `state`, or nil:
    /// for a signer's last check before it signs, the same test the decision makes.
    public func destinationHold(of request: PolicyRequest, in state: StateSnapshot) -> (entry: String, hold: DestinationHold)? {
        let c = EvaluationContext(policy: self, request: request, state: state)
        return destinationHold(c).map { (entry: entries[$0.entry].name, hold: $0.hold) }
    }
}
