import CustosLedger
@testable import CustosState
import Testing

@Suite struct SigningBookTests {
    static func session(_ id: String, _ status: SigningSession.Status, attempt: UInt32 = 0) -> SigningSession {
        SigningSession(requestId: id, vault: "v", epoch: 1, message: Array(id.utf8), status: status, attempt: attempt, signers: [],
                       commitments: [:], startedAt: 0, startedHeight: 0, deadline: 0, signature: nil, signedAt: nil, signedHeight: nil,
                       signedBy: nil, blames: [], failure: nil)
    }

    @Test func openSessionsAreIndexedAndEveryWriteMovesTheJournal() {
        var book = SigningBook()
        var heads = [book.journal.head]
        book["b"] = Self.session("b", .waiting)
        heads.append(book.journal.head)
        book["a"] = Self.session("a", .signing)
        heads.append(book.journal.head)
        book["c"] = Self.session("c", .signed)
        heads.append(book.journal.head)
        #expect(book.open.map(\.requestId) == ["a", "b"], "waiting and signing sessions, by request id")
        #expect(book.count == 3 && !book.isEmpty)

        // A write of the same value is a write too: the journal records what was done.
        book["a"]!.attempt += 1
        heads.append(book.journal.head)
        book["a"]!.status = .failed
        heads.append(book.journal.head)
        book["b"] = nil
        heads.append(book.journal.head)
        #expect(book.open.isEmpty && book.count == 2)
        #expect(Set(heads).count == heads.count, "every write moved the head")
    }

    @Test func theJournalIsTheSameForTheSameWritesAndDiffersForOthers() {
        func written() -> SigningBook {
            var b = SigningBook()
            b["x"] = Self.session("x", .waiting)
            b["x"]!.status = .signing
            return b
        }
        let (one, two) = (written(), written())
        #expect(one.journal == two.journal)
        var three = two
        three["x"]!.attempt = 5
        #expect(three.journal != two.journal)
        #expect(two["x"]?.attempt == 0, "a copy's writes stay in the copy")
    }
}
