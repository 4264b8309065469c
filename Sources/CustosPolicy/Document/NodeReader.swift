/// Reads typed values out of `YAMLNode`s, collecting every problem as a diagnostic with its
/// position instead of stopping at the first. Unknown fields are errors: a misspelt `max_usd`
/// must never silently become "no limit".
struct NodeReader {
    private(set) var diagnostics: [PolicyDiagnostic] = []

    mutating func error(_ code: PolicyDiagnostic.Code, _ location: SourceLocation, _ message: String) {
        diagnostics.append(.error(code, at: location, message))
    }

    /// The entries of a mapping, checking that only `allowed` keys appear and `required` ones do.
    mutating func mapping(
        _ node: YAMLNode, _ what: String, allowed: [String], required: [String] = []
    ) -> [String: YAMLEntry]? {
        guard case .mapping(let entries) = node.kind else {
            error(.wrongType, node.location, "\(what) must be a mapping, not \(node.kindName)")
            return nil
        }
        var result: [String: YAMLEntry] = [:]
        for entry in entries {
            if allowed.contains(entry.key) {
                result[entry.key] = entry
            } else {
                let hint = Self.closest(entry.key, in: allowed).map { "; did you mean '\($0)'?" } ?? ""
                error(.unknownField, entry.keyLocation, "unknown field '\(entry.key)' in \(what)\(hint)")
            }
        }
        for key in required where result[key] == nil {
            error(.missingField, node.location, "\(what) is missing the field '\(key)'")
        }
        return result
    }

    /// The entries of a mapping whose keys are names chosen by the author.
    mutating func namedMapping(_ node: YAMLNode, _ what: String) -> [YAMLEntry] {
        guard case .mapping(let entries) = node.kind else {
            error(.wrongType, node.location, "\(what) must be a mapping, not \(node.kindName)")
            return []
        }
        for entry in entries where !Self.isValidName(entry.key) {
            error(.invalidValue, entry.keyLocation,
                  "'\(entry.key)' is not a valid name in \(what) (letters, digits, '-', '_', '.', ':'; at most 64)")
        }
        return entries.filter { Self.isValidName($0.key) }
    }

    mutating func sequence(_ node: YAMLNode, _ what: String) -> [YAMLNode]? {
        guard case .sequence(let items) = node.kind else {
            error(.wrongType, node.location, "\(what) must be a list, not \(node.kindName)")
            return nil
        }
        return items
    }

    mutating func string(_ node: YAMLNode, _ what: String) -> Spanned<String>? {
        guard case .scalar(let text, let quoted) = node.kind, quoted || !YAMLNode.isNull(text) else {
            error(.wrongType, node.location, "\(what) must be text, not \(node.kindName)")
            return nil
        }
        return Spanned(text, at: node.location)
    }

    /// A name: letters, digits, `-`, `_`, `.`, `:`, at most 64 characters.
    mutating func name(_ node: YAMLNode, _ what: String) -> Spanned<String>? {
        guard let text = string(node, what) else { return nil }
        guard Self.isValidName(text.value) else {
            error(.invalidValue, node.location,
                  "'\(text.value)' is not a valid \(what) (letters, digits, '-', '_', '.', ':'; at most 64)")
            return nil
        }
        return text
    }

    /// A list of names; a single name is accepted as a list of one.
    mutating func names(_ node: YAMLNode, _ what: String) -> [Spanned<String>] {
        if case .scalar = node.kind { return name(node, what).map { [$0] } ?? [] }
        guard let items = sequence(node, "\(what) list") else { return [] }
        var seen: Set<String> = []
        var result: [Spanned<String>] = []
        for item in items {
            guard let n = name(item, what) else { continue }
            if !seen.insert(n.value).inserted {
                error(.duplicateName, item.location, "'\(n.value)' is listed twice")
                continue
            }
            result.append(n)
        }
        return result
    }

    mutating func integer(_ node: YAMLNode, _ what: String, range: ClosedRange<Int>) -> Spanned<Int>? {
        guard case .scalar(let text, _) = node.kind, let value = Int(text.filter { $0 != "_" }),
              !text.isEmpty
        else {
            error(.wrongType, node.location, "\(what) must be a whole number")
            return nil
        }
        guard range.contains(value) else {
            error(.invalidValue, node.location, "\(what) must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return Spanned(value, at: node.location)
    }

    mutating func decimal(_ node: YAMLNode, _ what: String) -> Spanned<FixedDecimal>? {
        guard case .scalar(let text, _) = node.kind, let value = FixedDecimal(parsing: text) else {
            error(.wrongType, node.location,
                  "\(what) must be a decimal number such as 5000000 or 0.05 (at most 18 decimals)")
            return nil
        }
        guard value >= .zero else {
            error(.invalidValue, node.location, "\(what) must not be negative")
            return nil
        }
        return Spanned(value, at: node.location)
    }

    mutating func bool(_ node: YAMLNode, _ what: String) -> Bool? {
        if case .scalar(let text, false) = node.kind {
            if text == "true" { return true }
            if text == "false" { return false }
        }
        error(.wrongType, node.location, "\(what) must be true or false")
        return nil
    }

    /// A duration such as `30m`, `1h`, `24h`, `7d` (seconds, minutes, hours, days), in seconds
    /// (`DurationText`).
    mutating func duration(_ node: YAMLNode, _ what: String) -> Spanned<Int>? {
        guard case .scalar(let text, _) = node.kind else {
            error(.wrongType, node.location, "\(what) must be a duration such as 1h, 24h or 7d")
            return nil
        }
        switch DurationText.seconds(text) {
        case .success(let seconds): return Spanned(seconds, at: node.location)
        case .failure(.notADuration): error(.wrongType, node.location, "\(what) must be a duration such as 1h, 24h or 7d")
        case .failure(.unknownUnit): error(.wrongType, node.location, "\(what) must end in s, m, h or d (e.g. 24h)")
        case .failure(.tooLong): error(.invalidValue, node.location, "\(what) must be at most 366 days")
        }
        return nil
    }

    static func isValidName(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 64 else { return false }
        return text.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
                || b == UInt8(ascii: ":")
        }
    }

    /// The allowed key closest to a misspelt one (edit distance at most 2), for hints. A pair
    /// whose lengths differ by more than 2 is never that close, and costs no distance.
    static func closest(_ key: String, in allowed: [String]) -> String? {
        let a = Array(key.utf8.prefix(64))
        var best: (String, Int)?
        for candidate in allowed {
            let b = Array(candidate.utf8)
            guard abs(a.count - b.count) <= 2 else { continue }
            var row = Array(0...b.count)
            for i in 1...max(1, a.count) where !a.isEmpty {
                var previous = row[0]
                row[0] = i
                for j in stride(from: 1, through: b.count, by: 1) {
                    let old = row[j]
                    row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                    previous = old
                }
            }
            let distance = a.isEmpty ? b.count : row[b.count]
            if distance <= 2, best == nil || distance < best!.1 { best = (candidate, distance) }
        }
        return best?.0
    }
}
