/// A YAML node as Custos reads it: plain data with positions and nothing else. Anchors, aliases,
/// tags, merge keys and non-scalar keys never reach this type; `SafeYAML` refuses them.
public struct YAMLNode: Sendable {
    public enum Kind: Sendable {
        /// A scalar's text and whether it was quoted (a quoted `"12"` is text, never a number).
        case scalar(String, quoted: Bool)
        case sequence([YAMLNode])
        case mapping([YAMLEntry])
    }

    public let kind: Kind
    public let location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// What kind of node this is, for error messages.
    public var kindName: String {
        switch kind {
        case .scalar(let text, let quoted): return !quoted && Self.isNull(text) ? "null" : "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    /// Whether a plain scalar spells YAML null (`~`, `null`, or nothing).
    static func isNull(_ text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }
}

/// One key/value pair of a mapping; keys are always scalars.
public struct YAMLEntry: Sendable {
    public let key: String
    public let keyLocation: SourceLocation
    public let value: YAMLNode
}
