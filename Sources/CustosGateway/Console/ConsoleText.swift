/// A line of text in a template's list, with every character that could hide or reorder what a
/// person reads made visible (`visible(_:)`).
struct ConsoleText: Sendable {
    let text: String

    init(_ text: String) {
        self.text = Self.visible(text)
    }

    /// `text` as a person should read it on a console page (security review L4): every control
    /// character (C0 and C1, line breaks and tabs included), format character (general category
    /// Cf: the bidirectional embeddings, overrides, isolates and marks such as U+202E, zero-width
    /// spaces and joiners, the byte-order mark, the soft hyphen) and line or paragraph separator
    /// is shown as its code point, `<U+202E>`, so that text from a request or a policy can
    /// neither reverse nor hide part of a line. Every other character is kept; HTML is escaped
    /// by the templates. The one helper every console page uses for such text; never applied to
    /// the signed content a page's script hashes, which its script checks itself.
    static func visible(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
