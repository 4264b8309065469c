import CustosCore

/// One pass over a JSON value in RFC 8785 order that builds its document tree, lays out its
/// canonical text (columns and UTF-8 bytes) and notes the first bound it breaks, for
/// `YAMLNode(canonicalJSON:limits:)`.
struct CanonicalWalk {
    let limits: DocumentLimits
    /// The next node's column on line 1 of the canonical text.
    var column = 1
    /// The canonical text's length in UTF-8 bytes.
    var bytes = 0
    var budget: Int
    /// The first array or object nested deeper than the limit (`SafeYAML` finds these before
    /// it reads anything else).
    var tooDeep: PolicyDiagnostic?
    /// The first member name longer than YAML's 1024 characters for a key (quotes included): a
    /// syntax error for the YAML parser, found after nesting and before every other bound.
    var tooLongKey: PolicyDiagnostic?
    /// The first other bound broken, in canonical order.
    var firstRefusal: PolicyDiagnostic?

    /// libyaml's bound on a simple key, in characters.
    static let maxKeyWidth = 1024

    init(limits: DocumentLimits) {
        self.limits = limits
        self.budget = limits.maxNodes
    }

    private var location: SourceLocation { SourceLocation(line: 1, column: column) }

    private mutating func refuse(_ diagnostic: PolicyDiagnostic) {
        if firstRefusal == nil { firstRefusal = diagnostic }
    }

    private mutating func advance(_ text: String) {
        column += text.unicodeScalars.count
        bytes += text.utf8.count
    }

    /// Advances over a string as RFC 8785 writes it, quotes and escapes included.
    private mutating func advance(quoting text: String) {
        advance("\"\"")
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22, 0x5c, 0x08, 0x0c, 0x0a, 0x0d, 0x09:
                column += 2
                bytes += 2
            case 0x00..<0x20:
                column += 6
                bytes += 6
            default:
                column += 1
                bytes += UTF8.width(scalar)
            }
        }
    }

    mutating func node(_ value: JSONValue, depth: Int) -> YAMLNode {
        let at = location
        budget -= 1
        if budget < 0 {
            refuse(.error(.limitExceeded, at: at, "document has more than \(limits.maxNodes) nodes"))
        }
        if depth > limits.maxDepth {
            let nesting = PolicyDiagnostic.error(
                .limitExceeded, at: at, "nesting is deeper than the limit of \(limits.maxDepth) levels")
            switch value {
            case .array, .object: if tooDeep == nil { tooDeep = nesting }
            default: break
            }
            refuse(nesting)
        }
        switch value {
        case .string(let text):
            checkLength(text, "text", at: at)
            checkCharacters(text, "text", at: at)
            advance(quoting: text)
            return YAMLNode(.scalar(text, quoted: true), at: at)
        case .null: return plain("null", at: at)
        case .bool(let b): return plain(b ? "true" : "false", at: at)
        case .integer(let i): return plain(JCS.serialize(number: Double(i)), at: at)
        case .number(let d): return plain(JCS.serialize(number: d), at: at)
        case .array(let items):
            if items.count > limits.maxCollectionCount {
                refuse(.error(.limitExceeded, at: at, "list has \(items.count) items; the limit is \(limits.maxCollectionCount)"))
            }
            advance("[")
            var nodes: [YAMLNode] = []
            nodes.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                if i > 0 { advance(",") }
                nodes.append(node(item, depth: depth + 1))
            }
            advance("]")
            return YAMLNode(.sequence(nodes), at: at)
        case .object(let members):
            if members.count > limits.maxCollectionCount {
                refuse(.error(
                    .limitExceeded, at: at, "mapping has \(members.count) entries; the limit is \(limits.maxCollectionCount)"))
            }
            advance("{")
            var entries: [YAMLEntry] = []
            entries.reserveCapacity(members.count)
            // Names equal as text (one spelt precomposed, one decomposed, say) are one name to
            // the readers behind this tree; JSON told apart only their bytes.
            var names = Set<String>()
            for (i, member) in JCS.canonicalOrder(members).enumerated() {
                if i > 0 { advance(",") }
                let keyAt = location
                budget -= 1
                checkLength(member.key, "key", at: keyAt)
                checkCharacters(member.key, "key", at: keyAt)
                if !names.insert(member.key).inserted {
                    refuse(.error(.duplicateKey, at: keyAt, "duplicate key '\(member.key.printable(limit: 64))'"))
                }
                advance(quoting: member.key)
                if column - keyAt.column > Self.maxKeyWidth, tooLongKey == nil {
                    tooLongKey = .error(.yamlSyntax, at: location, "YAML: did not find expected ',' or '}'")
                }
                advance(":")
                entries.append(YAMLEntry(key: member.key, keyLocation: keyAt, value: node(member.value, depth: depth + 1)))
            }
            advance("}")
            return YAMLNode(.mapping(entries), at: at)
        }
    }

    private mutating func checkLength(_ text: String, _ what: String, at: SourceLocation) {
        if text.unicodeScalars.count > limits.maxScalarLength {
            refuse(.error(.limitExceeded, at: at, "\(what) is longer than the limit of \(limits.maxScalarLength) characters"))
        }
    }

    /// A number, boolean or null, spelt as the canonical text spells it.
    private mutating func plain(_ text: String, at: SourceLocation) -> YAMLNode {
        checkLength(text, "text", at: at)
        advance(text)
        return YAMLNode(.scalar(text, quoted: false), at: at)
    }

    /// Refuses characters a request may not carry in its text or names: DEL, the C1 controls,
    /// the line and paragraph separators (U+0085, U+2028, U+2029) and the noncharacters U+FFFE
    /// and U+FFFF. They hide or break lines where people read requests, and the YAML reader of
    /// earlier versions refused or rewrote them, so no node ever decided a request holding one.
    private mutating func checkCharacters(_ text: String, _ what: String, at: SourceLocation) {
        guard let refused = text.unicodeScalars.first(where: Self.isRefused) else { return }
        let code = String(refused.value, radix: 16, uppercase: true)
        refuse(.error(.invalidValue, at: at, "\(what) holds U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code), which a request may not carry"))
    }

    static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x7F...0x9F, 0x2028, 0x2029, 0xFFFE, 0xFFFF: return true
        default: return false
        }
    }

}
