extension PolicyRequest {
    /// The key under which the state keeps `DestinationHistory`: the chain and the normalized
    /// destination address; nil for a request without a destination (a message).
    public var destinationKey: String? {
        destination.isEmpty ? nil : chain + "/" + AddressNormalization.normalize(destination)
    }
}
