/// Why an asset has no USD price a decision may use (too few fresh sources, or a median that
/// overflows): every USD clause that needs it fails closed with this reason.
public struct PriceUnavailable: Error, Sendable, Hashable {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }
}
