/// The exact differences between two texts, line by line: what `PolicyDiff` describes in plain
/// language may leave parts of a document out, so an approver also reads every changed line.
/// Lines common to both are left out; removed lines start with "- ", added ones with "+ ", each
/// run after a "@@ line N" marker naming its first line in the new text.
public enum TextDiff {
    /// Above this many line pairs compared, the changed middle is listed whole (every old line
    /// removed, every new line added) rather than aligned: still every difference, in bounded time.
    static let alignmentBudget = 4_000_000

    public static func lines(from old: String, to new: String) -> [String] {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let oldMiddle = Array(a[prefix..<(a.count - suffix)])
        let newMiddle = Array(b[prefix..<(b.count - suffix)])
        if oldMiddle.isEmpty && newMiddle.isEmpty { return [] }
        var edits: [(removed: Bool, text: String, newLine: Int)] = []
        if oldMiddle.count * newMiddle.count > alignmentBudget {
            edits = oldMiddle.map { (true, $0, prefix) } + newMiddle.enumerated().map { (false, $0.element, prefix + $0.offset) }
        } else {
            edits = aligned(oldMiddle, newMiddle, firstNewLine: prefix)
        }
        var out: [String] = []
        var expectedNext: Int?
        for edit in edits {
            // A marker wherever the run of changes is not contiguous with the previous one.
            if expectedNext != edit.newLine { out.append("@@ line \(edit.newLine + 1)") }
            out.append((edit.removed ? "- " : "+ ") + edit.text)
            expectedNext = edit.removed ? edit.newLine : edit.newLine + 1
        }
        return out
    }

    /// The shortest edit by the longest common subsequence of lines.
    private static func aligned(_ a: [String], _ b: [String], firstNewLine: Int) -> [(removed: Bool, text: String, newLine: Int)] {
        let n = a.count, m = b.count
        // common[i][j]: the longest common subsequence of a[i...] and b[j...], row by row.
        var common = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                common[i][j] = a[i] == b[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
            }
        }
        var edits: [(removed: Bool, text: String, newLine: Int)] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                i += 1
                j += 1
            } else if i < n, j == m || common[i + 1][j] >= common[i][j + 1] {
                edits.append((true, a[i], firstNewLine + j))
                i += 1
            } else {
                edits.append((false, b[j], firstNewLine + j))
                j += 1
            }
        }
        return edits
    }
}
