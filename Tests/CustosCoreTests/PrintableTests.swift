import CustosCore
import Testing

/// Text others chose, shown to people: printable ASCII as it is, everything else escaped, cut.
@Suite struct PrintableTests {
    @Test func controlsAndNonASCIIAreEscapedAndTheLengthBounded() {
        #expect("add-dave".printable() == "add-dave")
        #expect("a\u{1b}[2J\nb".printable() == "a\\u{1b}[2J\\u{a}b")
        #expect("caf\u{e9}\u{202e}".printable() == "caf\\u{e9}\\u{202e}")
        #expect(String(repeating: "x", count: 100).printable(limit: 64).count == 64)
    }
}
