import CustosCore
import Yams

/// Reads YAML (and JSON, which it accepts as a subset) into `YAMLNode`s with bounded time and
/// memory, refusing everything a policy never needs and an attacker likes:
///
/// - documents over `maxBytes`, several documents in one stream, byte-order marks;
/// - anchors (`&`), aliases (`*`) and tags (`!`) — refused by a lexical scan *before* any YAML
///   library sees the text, so an alias bomb is never expanded, hashed or walked;
/// - nesting beyond `maxDepth` (estimated conservatively before parsing; libyaml also stops at
///   1000 levels), more than `maxNodes` nodes, collections over `maxCollectionCount`, scalars
///   over `maxScalarLength`, non-scalar or duplicate mapping keys.
///
/// The lexical scan is conservative: a `&`, `*` or `!` that starts a token (first on a line,
/// after `:`, `[`, `{`, `,`, or after `- ` or `? `) outside a quoted scalar is refused, even in
/// a comment or a plain multi-line scalar; quoted text is skipped only up to the end of its
/// line, so a quoted string continuing on the next line is scanned there as if unquoted.
public enum SafeYAML {
    /// Parses `text` into one document.
    public static func parse(_ text: String, limits: DocumentLimits) throws(PolicyLoadError) -> YAMLNode {
        if text.utf8.count > limits.maxBytes {
            throw PolicyLoadError([
                .error(.tooLarge, at: .start,
                       "document is \(text.utf8.count) bytes; the limit is \(limits.maxBytes)")
            ])
        }
        try lexicalScan(text, limits: limits)
        let root: Node
        do {
            let parser = try Parser(yaml: text, resolver: .basic)
            guard let node = try parser.singleRoot() else {
                throw PolicyLoadError([.error(.missingField, at: .start, "document is empty")])
            }
            root = node
        } catch let error as PolicyLoadError {
            throw error
        } catch let error as YamlError {
            throw PolicyLoadError([translate(error)])
        } catch {
            throw PolicyLoadError([.error(.yamlSyntax, at: .start, "cannot read YAML")])
        }
        var budget = limits.maxNodes
        return try convert(root, depth: 1, limits: limits, budget: &budget)
    }

    // MARK: - Lexical scan

    private static func lexicalScan(_ text: String, limits: DocumentLimits) throws(PolicyLoadError) {
        var line = 1
        var column = 0
        var previous: UInt8 = UInt8(ascii: "\n")  // last non-blank byte on this line, or newline
        var flowDepth = 0
        var indicatorsOnLine = 0
        var lineIndent = 0
        var inIndent = true
        var previousRaw: UInt8 = UInt8(ascii: "\n")
        // Quoted scalars are skipped (their brackets and symbols are text), but never across a
        // line end: a misread quote can then hide nothing beyond its own line.
        var quote: UInt8 = 0
        var escaped = false
        var quoteMayClose = false
        for byte in text.utf8 {
            defer { previousRaw = byte }
            if byte & 0xC0 != 0x80 { column += 1 }  // count scalars, not bytes
            if byte == UInt8(ascii: "\n") {
                quote = 0
                escaped = false
                quoteMayClose = false
            } else if quote == UInt8(ascii: "\"") {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == quote {
                    quote = 0
                    previous = byte
                }
                continue
            } else if quote == UInt8(ascii: "'") {
                if quoteMayClose {
                    quoteMayClose = false
                    if byte == quote { continue }  // '' is an escaped quote
                    quote = 0
                    previous = UInt8(ascii: "'")
                } else {
                    if byte == quote { quoteMayClose = true }
                    continue
                }
            }
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                column = 0
                previous = UInt8(ascii: "\n")
                indicatorsOnLine = 0
                lineIndent = 0
                inIndent = true
                continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                if inIndent { lineIndent += 1 }
                continue
            case 0xEF where line == 1 && column == 1:
                throw PolicyLoadError([.error(.yamlFeature, at: .start, "byte-order marks are not accepted")])
            default:
                break
            }
            inIndent = false
            let atTokenStart: Bool
            switch previous {
            case UInt8(ascii: "\n"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: ","):
                atTokenStart = true
            case UInt8(ascii: "-"), UInt8(ascii: "?"):
                // `-` and `?` are indicators only when followed by a blank (`- *x`, not `a-*`).
                atTokenStart = Self.isBlank(previousRaw)
            default:
                atTokenStart = false
            }
            if atTokenStart, byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
                previous = byte
                continue
            }
            if atTokenStart {
                let what: String?
                switch byte {
                case UInt8(ascii: "&"): what = "anchors (&)"
                case UInt8(ascii: "*"): what = "aliases (*)"
                case UInt8(ascii: "!"): what = "tags (!)"
                case UInt8(ascii: "%") where previous == UInt8(ascii: "\n"): what = "directives (%)"
                default: what = nil
                }
                if let what {
                    throw PolicyLoadError([
                        .error(.yamlFeature, at: SourceLocation(line: line, column: column),
                               "YAML \(what) are not accepted in Custos documents; quote the value if it is text")
                    ])
                }
            }
            switch byte {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                flowDepth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                flowDepth = max(0, flowDepth - 1)
            case UInt8(ascii: "-") where atTokenStart && Self.isBlank(previousRaw),
                UInt8(ascii: "?") where atTokenStart && Self.isBlank(previousRaw):
                indicatorsOnLine += 1
            default:
                break
            }
            // A conservative estimate of nesting: flow brackets, block indicators on this line,
            // and indentation (at least one column per block level).
            if flowDepth + indicatorsOnLine + lineIndent / 2 > limits.maxDepth * 4
                || flowDepth > limits.maxDepth
            {
                throw PolicyLoadError([
                    .error(.limitExceeded, at: SourceLocation(line: line, column: column),
                           "nesting is deeper than the limit of \(limits.maxDepth) levels")
                ])
            }
            previous = byte
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
    }

    // MARK: - Conversion

    private static func location(_ mark: Mark?) -> SourceLocation {
        guard let mark else { return .start }
        return SourceLocation(line: mark.line, column: mark.column)
    }

    private static func convert(
        _ node: Node, depth: Int, limits: DocumentLimits, budget: inout Int
    ) throws(PolicyLoadError) -> YAMLNode {
        let at = location(node.mark)
        budget -= 1
        if budget < 0 {
            throw PolicyLoadError([.error(.limitExceeded, at: at, "document has more than \(limits.maxNodes) nodes")])
        }
        if depth > limits.maxDepth {
            throw PolicyLoadError([
                .error(.limitExceeded, at: at, "nesting is deeper than the limit of \(limits.maxDepth) levels")
            ])
        }
        if node.anchor != nil {
            throw PolicyLoadError([.error(.yamlFeature, at: at, "YAML anchors are not accepted")])
        }
        switch node {
        case .scalar(let scalar):
            let text = scalar.string
            if text.unicodeScalars.count > limits.maxScalarLength {
                throw PolicyLoadError([
                    .error(.limitExceeded, at: at,
                           "text is longer than the limit of \(limits.maxScalarLength) characters")
                ])
            }
            return YAMLNode(.scalar(text, quoted: scalar.style != .plain && scalar.style != .any), at: at)
        case .sequence(let sequence):
            if sequence.count > limits.maxCollectionCount {
                throw PolicyLoadError([
                    .error(.limitExceeded, at: at,
                           "list has \(sequence.count) items; the limit is \(limits.maxCollectionCount)")
                ])
            }
            var items: [YAMLNode] = []
            items.reserveCapacity(sequence.count)
            for item in sequence {
                items.append(try convert(item, depth: depth + 1, limits: limits, budget: &budget))
            }
            return YAMLNode(.sequence(items), at: at)
        case .mapping(let mapping):
            if mapping.count > limits.maxCollectionCount {
                throw PolicyLoadError([
                    .error(.limitExceeded, at: at,
                           "mapping has \(mapping.count) entries; the limit is \(limits.maxCollectionCount)")
                ])
            }
            var entries: [YAMLEntry] = []
            entries.reserveCapacity(mapping.count)
            var seen: Set<String> = []
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw PolicyLoadError([
                        .error(.yamlFeature, at: location(key.mark), "mapping keys must be plain text")
                    ])
                }
                budget -= 1
                let keyText = keyScalar.string
                if keyText.unicodeScalars.count > limits.maxScalarLength {
                    throw PolicyLoadError([
                        .error(.limitExceeded, at: location(key.mark),
                               "key is longer than the limit of \(limits.maxScalarLength) characters")
                    ])
                }
                if keyScalar.style == .plain, keyText == "<<" {
                    throw PolicyLoadError([
                        .error(.yamlFeature, at: location(key.mark), "YAML merge keys (<<) are not accepted")
                    ])
                }
                if !seen.insert(keyText).inserted {
                    throw PolicyLoadError([
                        .error(.duplicateKey, at: location(key.mark), "duplicate key '\(keyText)'")
                    ])
                }
                let converted = try convert(value, depth: depth + 1, limits: limits, budget: &budget)
                entries.append(YAMLEntry(key: keyText, keyLocation: location(key.mark), value: converted))
            }
            return YAMLNode(.mapping(entries), at: at)
        case .alias:
            throw PolicyLoadError([.error(.yamlFeature, at: at, "YAML aliases are not accepted")])
        }
    }

    private static func translate(_ error: YamlError) -> PolicyDiagnostic {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            if problem.contains("Maximum nesting level") {
                return .error(.limitExceeded, at: location(mark), "nesting is too deep")
            }
            return .error(.yamlSyntax, at: location(mark), "YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return .error(.duplicateKey, at: location(context.mark), "duplicate key \(names)")
        case .reader(let problem, _, _, _):
            return .error(.yamlSyntax, at: .start, "YAML: \(problem)")
        default:
            return .error(.yamlSyntax, at: .start, "cannot read YAML")
        }
    }
}
