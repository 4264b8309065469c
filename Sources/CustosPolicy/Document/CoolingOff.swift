/// The policy's `cooling_off` section: how long, in seconds of block time, a new or changed
/// address-book entry waits before transfers and calls may go to it. A setting that names one of
/// the entry's tags or its counterparty overrides `defaultSeconds`; when several apply, the
/// longest wins. A document without the section has no cooling-off (every entry is usable at
/// once).
///
/// ```yaml
/// cooling_off: {default: 48h, tags: {internal: 0s}, counterparties: {kraken: 24h}}
/// ```
public struct CoolingOff: Sendable, Hashable {
    /// One override: a tag or counterparty name and its delay.
    public struct Setting: Sendable, Hashable {
        public var name: Spanned<String>
        public var seconds: Int
    }

    public var defaultSeconds: Int
    /// Overrides by tag, in the document's order.
    public var tags: [Setting]
    /// Overrides by counterparty, in the document's order.
    public var counterparties: [Setting]
    public var location: SourceLocation

    /// The longest delay a policy may set: 90 days.
    public static let maximumSeconds = 90 * 86_400

    public init(defaultSeconds: Int, tags: [Setting] = [], counterparties: [Setting] = [], location: SourceLocation = SourceLocation(line: 0, column: 0)) {
        self.defaultSeconds = defaultSeconds
        self.tags = tags
        self.counterparties = counterparties
        self.location = location
    }

    /// The delay of an entry with `tags` and `counterparty`: the longest override naming one of
    /// them, or the default when none does.
    public func delay(tags entryTags: [String], counterparty: String?) -> Int {
        let applying = tags.filter { entryTags.contains($0.name.value) } + counterparties.filter { $0.name.value == counterparty }
        return applying.map(\.seconds).max() ?? defaultSeconds
    }
}
