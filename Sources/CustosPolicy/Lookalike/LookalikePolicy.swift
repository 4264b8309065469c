/// The policy's `lookalike` section: when a destination that is not in the address book counts
/// as a look-alike of one that is (`request.destination_lookalike`). An EVM destination (`0x`
/// and 40 hex digits) resembles an address-book entry's EVM address when their first `prefix`
/// and last `suffix` hex digits are the same (ignoring case), or when the 40 hex digits are at
/// most `maxEditDistance` single-character insertions, deletions or substitutions apart
/// (ignoring case: an EIP-55 checksummed address differs from its lowercase form only in case,
/// so ignoring it never flags less). A zero length (`prefix: 0, suffix: 0`) turns the first
/// test off, a zero distance the second. Defaults: 4, 4 and 2.
public struct LookalikePolicy: Sendable, Hashable {
    public var prefix: Int
    public var suffix: Int
    public var maxEditDistance: Int

    /// The longest prefix or suffix compared, and the largest edit distance, a document may set.
    public static let maximumAffix = 16
    public static let maximumEditDistance = 8
    /// The fewest hex digits prefix and suffix may compare together when they compare any:
    /// fewer would flag one random address in a few thousand.
    public static let minimumAffixDigits = 4

    public init(prefix: Int = 4, suffix: Int = 4, maxEditDistance: Int = 2) {
        self.prefix = prefix
        self.suffix = suffix
        self.maxEditDistance = maxEditDistance
    }
}
