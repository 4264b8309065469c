import CustosCore
import CustosState

/// What an offline signer signs, decoded for the person at the machine (review A-M4): the whole
/// message as text when it is printable UTF-8, else as hex, and a warning when it is a hash whose
/// meaning the signer cannot see. Pure: a function of the bytes and the vault's scheme.
///
/// - `frost-ed25519` signs a `raw` message, the bytes themselves (RFC 8032 §5.1.6 hashes them
///   inside the scheme): 32 or 64 bytes that are not text look like a hash and are warned about.
/// - `frost-taproot` signs a `bip340` message: 32 bytes are always a hash (BIP-340 signs
///   32-byte digests), text or not, and are warned about; so are 64 bytes that are not text.
public struct OfflineMessageView: Sendable, Equatable {
    /// How the bytes are shown.
    public enum Form: Sendable, Equatable {
        /// Printable UTF-8: letters, marks, numbers, punctuation, symbols, spaces, tabs and
        /// newlines, none of the invisible or direction-changing characters that could make the
        /// screen show other text than the bytes hold.
        case text(String)
        /// Anything else, as lowercase hex.
        case hex(String)
    }

    public let byteCount: Int
    public let form: Form
    /// Set when the message is (or looks like) a hash: the signer signs blind.
    public let blindHashWarning: String?

    /// The view of `message` signed by a vault of `scheme`.
    public init(_ message: [UInt8], scheme: Vault.Scheme) {
        byteCount = message.count
        let text = Self.printableText(message)
        form = text.map(Form.text) ?? .hex(message.hexString)
        let hashLike: Bool
        switch scheme {
        case .frostTaproot: hashLike = message.count == 32 || (text == nil && message.count == 64)
        case .frostEd25519, .ecdsaSecp256k1: hashLike = text == nil && (message.count == 32 || message.count == 64)
        }
        blindHashWarning = hashLike
            ? "WARNING: this is a blind signature of a \(message.count)-byte hash. The offline signer cannot see what was hashed, "
                + "so nothing above tells you what it stands for: sign only if you know, from another source you trust, what it is."
            : nil
    }

    /// The lines to print: what the message is, then its content (text line by line, each behind
    /// `| `, with tabs shown as `\t`, and a note when it has non-ASCII characters; hex in lines of
    /// 32 bytes), then the warning when there is one.
    public var lines: [String] {
        var out: [String] = []
        switch form {
        case .text(let text):
            // Every line of the message behind `| `, so that no line of it can pass for one of
            // the tool's own (review helper-143 L3), and its extent said before and after.
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            out.append("\(byteCount) bytes of text in \(lines.count) line\(lines.count == 1 ? "" : "s"), each behind \"| \":")
            out += lines.map { line in "| " + line.map { $0 == "\t" ? "\\t" : String($0) }.joined() }
            out.append("(end of the message: \(lines.count) line\(lines.count == 1 ? "" : "s"))")
            if let other = text.unicodeScalars.first(where: { !$0.isASCII }) {
                out.append("NOTE: the text has characters outside ASCII (the first: U+\(String(other.value, radix: 16, uppercase: true))); "
                           + "letters of other scripts can look like Latin ones.")
            }
        case .hex(let hex):
            out.append(byteCount == 0 ? "0 bytes (an empty message)" : "\(byteCount) bytes, not text; in hex:")
            let digits = Array(hex)
            out += stride(from: 0, to: digits.count, by: 64).map { String(digits[$0..<min($0 + 64, digits.count)]) }
        }
        if let blindHashWarning { out.append(blindHashWarning) }
        return out
    }

    /// `bytes` as a string when they are non-empty valid UTF-8 and every scalar is printable:
    /// a tab or a newline, or of a general category that draws something or a plain space.
    /// Controls, format characters (bidirectional overrides, zero-width joiners), line and
    /// paragraph separators, private-use, surrogate and unassigned scalars make it not text.
    static func printableText(_ bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty, let text = String(validating: bytes, as: UTF8.self) else { return nil }
        for scalar in text.unicodeScalars {
            if scalar == "\n" || scalar == "\t" { continue }
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .nonspacingMark, .spacingMark, .enclosingMark,
                 .decimalNumber, .letterNumber, .otherNumber,
                 .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                 .initialPunctuation, .finalPunctuation, .otherPunctuation,
                 .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol,
                 .spaceSeparator:
                continue
            default:
                return nil
            }
        }
        return text
    }
}
