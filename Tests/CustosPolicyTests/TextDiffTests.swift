import CustosPolicy
import Testing

/// The line-by-line differences `custos op approve` prints under a policy change's plain-language
/// ones: every changed line, none of the common ones, removals before additions.
struct TextDiffTests {
    @Test func theSameTextHasNoDifferences() {
        #expect(TextDiff.lines(from: "a\nb\n", to: "a\nb\n").isEmpty)
    }

    @Test func everyChangedLineIsListedAndNoCommonOne() {
        let old = "version: 1\nrules:\n  - name: a\n    outcome: allow\n  - name: b\n"
        let new = "version: 2\nrules:\n  - name: a\n    outcome: deny\n  - name: b\n  - name: c\n"
        #expect(TextDiff.lines(from: old, to: new) == [
            "@@ line 1", "- version: 1", "+ version: 2",
            "@@ line 4", "-     outcome: allow", "+     outcome: deny",
            "@@ line 6", "+   - name: c",
        ])
    }

    @Test func aLargeRewriteIsListedWholeInsteadOfAligned() {
        let old = (0..<3000).map { "old \($0)" }.joined(separator: "\n")
        let new = (0..<3000).map { "new \($0)" }.joined(separator: "\n")
        let lines = TextDiff.lines(from: old, to: new)
        #expect(lines.count == 6001)
        #expect(lines.first == "@@ line 1" && lines[1] == "- old 0" && lines[3001] == "+ new 0" && lines.last == "+ new 2999")
    }
}
