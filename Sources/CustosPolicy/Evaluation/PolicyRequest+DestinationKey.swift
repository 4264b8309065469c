extension PolicyRequest {
    /// The key under which the state keeps `DestinationHistory`: the chain and the normalized
    /// destination address; nil for a request without a destination (a message).
    public var destinationKey: String? {
        destination.isEmpty ? nil : chain + "/" + AddressNormalization.normalize(destination)
    }

    /// The keys, as `destinationKey` makes them, of every address the request pays: its
    /// destination first, then each of `recipients` (a batch's payees, the recipients decoded
    /// from a call's data), each once, in that order.
    public var recipientKeys: [String] {
        var keys: [String] = []
        var seen: Set<String> = []
        for address in [destination] + recipients where !address.isEmpty {
            let key = chain + "/" + AddressNormalization.normalize(address)
            if seen.insert(key).inserted { keys.append(key) }
        }
        return keys
    }
}
