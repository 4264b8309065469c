/// A line of text in a template's list, with every character that could hide or reorder what a
/// person reads made visible (`visible(_:)`).
struct ConsoleText: Sendable {
    let text: String

    init(_ text: String) {
        self.text = Self.visible(text)
    }

    /// Characters that show as nothing, or as a blank, though no category below names them
    /// (security review L3): the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, and the blank
    /// Braille pattern U+2800 — each looks like a space or like nothing in a name.
    static let blanks: Set<UInt32> = [0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800]

    /// `text` as a person should read it on a console page (security review L4, L3): every control
    /// character (C0 and C1, line breaks and tabs included), format character (general category
    /// Cf: the bidirectional embeddings, overrides, isolates and marks such as U+202E, zero-width
    /// spaces and joiners, the byte-order mark, the soft hyphen), line or paragraph separator,
    /// space other than U+0020 (a no-break or ideographic space passes for one), combining mark
    /// (categories Mn and Me: stacked on a letter, or on nothing, they change or hide what is
    /// read) and blank (`blanks`) is shown as its code point, `<U+202E>`, so that text from a
    /// request or a policy — a memo, a vault's, an address-book entry's or a person's name — can
    /// neither reverse nor hide part of a line, nor pass for another. Every other character is
    /// kept; HTML is escaped by the templates. The one helper every console page uses for such
    /// text (the page's script has the same rule, `visible`); never applied to the signed
    /// content a page's script hashes, which its script checks itself. A run of spaces, which a
    /// page draws as one, keeps its first U+0020 and shows every further one as `<U+0020>`
    /// (review L4 of the dialog), so that "kraken  eth" does not pass for "kraken eth".
    static func visible(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        var afterSpace = false
        for scalar in text.unicodeScalars {
            defer { afterSpace = scalar == " " }
            if isHidden(scalar) || (scalar == " " && afterSpace) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether `visible` shows `scalar` as its code point.
    /// Also every default-ignorable code point (browsers draw them as nothing), unassigned code
    /// point and private-use character (no font shows them as anything a person can tell apart:
    /// review L-d).
    static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isDefaultIgnorableCodePoint { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .nonspacingMark, .enclosingMark, .unassigned, .privateUse: return true
        case .spaceSeparator: return scalar != " "
        default: return blanks.contains(scalar.value)
        }
    }
}
