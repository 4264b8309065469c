import CustosCore

extension YAMLNode {
    /// A verified JSON value as a document tree for the readers of requests, built from the
    /// value itself: no text is written and no YAML parser runs. Strings are quoted scalars;
    /// numbers (spelt as RFC 8785 writes them: `1.50` reads as `1.5`, `1e2` as `100`), booleans
    /// and null are plain scalars; arrays are sequences; objects are mappings with their members
    /// in RFC 8785 order.
    ///
    /// Each node is positioned where it starts in the value's canonical text (line 1, columns in
    /// Unicode scalars), and the bounds are those reading that text as YAML applied, with the same
    /// messages, checked in the same order: the size of the text, then nesting, then YAML's 1024
    /// characters for a mapping key, then nodes, scalar lengths and collection sizes as the tree
    /// is walked. So every diagnostic, and the order in which diagnostics sort, is what reading
    /// the canonical text as YAML gave — except that strings are read exactly as signed, where the
    /// YAML reader refused DEL, C1 controls, U+FFFE and U+FFFF and folded U+0085, U+2028 and
    /// U+2029 into spaces.
    init(canonicalJSON value: JSONValue, limits: DocumentLimits) throws(PolicyLoadError) {
        var walk = CanonicalWalk(limits: limits)
        let root = walk.node(value, depth: 1)
        if walk.bytes > limits.maxBytes {
            throw PolicyLoadError([
                .error(.tooLarge, at: .start, "document is \(walk.bytes) bytes; the limit is \(limits.maxBytes)")
            ])
        }
        if let refusal = walk.tooDeep ?? walk.tooLongKey ?? walk.firstRefusal { throw PolicyLoadError([refusal]) }
        self = root
    }
}
