/// A warning about a request's destination that every node computed with its decision, for
/// people to see before they approve (the console, `RequestView.explanation`): a look-alike of
/// an address-book entry, or a counterparty planted in the vault's history by a dust transfer.
public struct DestinationWarning: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case lookalike = "look-alike"
        case poisoned
    }

    public let kind: Kind
    /// One line, starting with the kind in capitals, e.g. "LOOK-ALIKE: 0x2e6d…ba8f resembles
    /// kraken-eth (…)".
    public let text: String
    /// For a look-alike: the address-book entry it resembles.
    public let resembles: String?
}
