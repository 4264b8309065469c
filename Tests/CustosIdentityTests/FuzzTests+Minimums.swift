/// The least number of inputs each seeded fuzzer must see decode, for any of its seeds. The
/// seeds are fixed, so the counts are exact (noted beside each floor, over the seeds); the
/// floors sit about a fifth below them, so a decoder that starts refusing valid input, or
/// everything, fails.
extension FuzzTests {
    /// 20 to 31 of 5,000 random byte strings.
    static let minimumRandomCBOR = 15
    /// 396 to 426 of 3,000 mutated attestation objects.
    static let minimumMutatedCBOR = 300
    /// 115 to 137 of 3,000 mutated attestation objects.
    static let minimumAttested = 90
    /// 524 to 574 of 6,000 mutated authenticator data.
    static let minimumAuthenticatorData = 420
    /// 1 to 4 of 3,000 mutated COSE keys: almost any change breaks a key.
    static let minimumCOSEKeys = 1
    /// 203 to 224 of 3,000 mutated JSON texts.
    static let minimumCanonicalJSON = 160
    /// 84 to 100 of 3,000 mutated request envelopes.
    static let minimumEnvelopes = 65
}
