import CustosCore
import Testing

/// One error shape: equal on the code alone, described as `code: reason`, extended by a context.
@Suite struct CustosErrorTests {
    enum PlainCode: String, ErrorCode {
        case first, second
    }

    struct Blame: ErrorContext {
        var who: String?
        init() {}
        init(who: String) { self.who = who }
        func describe(_ summary: String) -> String { who.map { "\(summary) (blame: \($0))" } ?? summary }
    }

    enum BlamingCode: String, ErrorCode {
        typealias Context = Blame
        case wrong
    }

    @Test func equalityAndHashingAreOnTheCode() {
        let a = CustosError(PlainCode.first, "one reason")
        let b = CustosError(PlainCode.first, "another reason")
        #expect(a == b)
        #expect(a != CustosError(PlainCode.second, "one reason"))
        #expect(Set([a, b]).count == 1)
    }

    @Test func descriptionIsCodeAndReason() {
        #expect(CustosError(PlainCode.second, "why").description == "second: why")
        #expect(PlainCode.second.description == "second")
    }

    @Test func contextIsReadThroughAndExtendsTheDescription() {
        let blamed = CustosError(BlamingCode.wrong, "bad", context: Blame(who: "node-2"))
        #expect(blamed.who == "node-2")
        #expect(blamed.description == "wrong: bad (blame: node-2)")
        #expect(CustosError(BlamingCode.wrong, "bad").who == nil)
        #expect(blamed == CustosError(BlamingCode.wrong, "other"))
    }
}
