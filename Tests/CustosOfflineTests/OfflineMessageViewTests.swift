import CustosCore
import CustosState
import Foundation
import Testing

@testable import CustosOffline

/// What `custos offline sign` shows of the message (review A-M4): text when it is printable
/// UTF-8, hex otherwise, never text that hides or reorders what the bytes hold, and a warning
/// for every message that is (or looks like) a hash the signer cannot see into.
struct OfflineMessageViewTests {
    static let hash = Array(0..<32).map { UInt8($0 * 7 + 3) }

    @Test func printableTextIsShownAsText() {
        let view = OfflineMessageView(Array("withdraw 5 SOL to cold storage\nref: Überweisung №7\tok".utf8), scheme: .frostEd25519)
        #expect(view.form == .text("withdraw 5 SOL to cold storage\nref: Überweisung №7\tok"))
        #expect(view.blindHashWarning == nil)
        #expect(view.lines == ["\(view.byteCount) bytes of text in 2 lines, each behind \"| \":", "| withdraw 5 SOL to cold storage",
                               "| ref: Überweisung №7\\tok", "(end of the message: 2 lines)",
                               "NOTE: the text has characters outside ASCII (the first: U+DC); letters of other scripts can look like Latin ones."])
        // A line of the message that imitates the tool's own output still starts with "| ".
        let imitation = OfflineMessageView(Array("pay 1\n-----\napprovals  alice, bob".utf8), scheme: .frostEd25519)
        #expect(imitation.lines.dropFirst().prefix(3).allSatisfy { $0.hasPrefix("| ") })
    }

    @Test(arguments: [
        ("a bidirectional override", "pay 1\u{202E}0001 yap"),
        ("a zero-width space", "pay\u{200B}1"),
        ("an escape sequence", "pay 1\u{1B}[2K\rpay 1000"),
        ("a carriage return", "pay 1\rpay 1000"),
        ("a line separator", "pay 1\u{2028}x"),
        ("a private-use character", "pay \u{E000}"),
        ("a NUL", "pay\u{0}1"),
    ])
    func textThatCouldHideItsBytesIsShownAsHex(what: String, text: String) {
        let bytes = Array(text.utf8)
        let view = OfflineMessageView(bytes, scheme: .frostEd25519)
        #expect(view.form == .hex(bytes.hexString), "\(what)")
        #expect(view.lines.dropFirst().joined() == bytes.hexString)
    }

    @Test func bytesThatAreNotUTF8AreShownAsHexInFullLines() {
        let bytes: [UInt8] = [0xff, 0xfe] + Array(repeating: 0x41, count: 70)
        let view = OfflineMessageView(bytes, scheme: .frostEd25519)
        #expect(view.form == .hex(bytes.hexString) && view.blindHashWarning == nil)
        #expect(view.lines == ["72 bytes, not text; in hex:", String(bytes.hexString.prefix(64)), String(bytes.hexString.dropFirst(64).prefix(64)),
                               String(bytes.hexString.dropFirst(128))])
        #expect(OfflineMessageView([], scheme: .frostEd25519).lines == ["0 bytes (an empty message)"])
        // An overlong encoding of "/" is not UTF-8.
        #expect(OfflineMessageView([0xc0, 0xaf], scheme: .frostEd25519).form == .hex("c0af"))
    }

    @Test func aRawHashIsWarnedAbout() {
        for bytes in [Self.hash, Self.hash + Self.hash] {
            let view = OfflineMessageView(bytes, scheme: .frostEd25519)
            #expect(view.form == .hex(bytes.hexString))
            #expect(view.blindHashWarning?.contains("blind signature of a \(bytes.count)-byte hash") == true)
            #expect(view.lines.last == view.blindHashWarning)
        }
        // 32 bytes of text are text, not a hash; 33 bytes of binary are not hash-sized.
        let text = Array("thirty-two bytes of plain text!!".utf8)
        #expect(text.count == 32 && OfflineMessageView(text, scheme: .frostEd25519).blindHashWarning == nil)
        #expect(OfflineMessageView(Self.hash + [1], scheme: .frostEd25519).blindHashWarning == nil)
    }

    @Test func aTaproot32ByteMessageIsAlwaysAHash() {
        #expect(OfflineMessageView(Self.hash, scheme: .frostTaproot).blindHashWarning?.contains("32-byte hash") == true)
        // Even when its bytes happen to read as text.
        let text = Array("thirty-two bytes of plain text!!".utf8)
        let view = OfflineMessageView(text, scheme: .frostTaproot)
        #expect(view.form == .text("thirty-two bytes of plain text!!") && view.blindHashWarning != nil)
        // BIP-340 messages of other lengths are shown like raw ones.
        #expect(OfflineMessageView(Array("hello".utf8), scheme: .frostTaproot) == OfflineMessageView(Array("hello".utf8), scheme: .frostEd25519))
        #expect(OfflineMessageView(Self.hash + Self.hash, scheme: .frostTaproot).blindHashWarning?.contains("64-byte hash") == true)
        #expect(OfflineMessageView(Self.hash + [9], scheme: .frostTaproot).blindHashWarning == nil)
    }
}
