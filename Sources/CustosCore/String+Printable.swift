extension String {
    /// This text with every character outside printable ASCII shown as a Swift-style escape
    /// (`\u{1b}`), cut to `limit` characters of the original: for text someone else chose (a
    /// name, a path, a refusal's reason) shown to people, in logs, answers and prompts, where a
    /// control character or a look-alike could rewrite what they read.
    public func printable(limit: Int = .max) -> String {
        unicodeScalars.prefix(limit).map { (0x20...0x7e).contains($0.value) ? String($0) : "\\u{\(String($0.value, radix: 16))}" }
            .joined()
    }
}
