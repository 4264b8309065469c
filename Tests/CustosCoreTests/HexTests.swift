import CustosCore
import Testing

@Suite struct HexTests {
    @Test func roundTrip() throws {
        let bytes = try [UInt8](hex: "0x00ff10Ab")
        #expect(bytes == [0x00, 0xff, 0x10, 0xab])
        #expect(bytes.hexString == "00ff10ab")
    }

    @Test(arguments: ["abc", "zz", "0x0g"])
    func rejectsMalformed(_ text: String) {
        #expect(throws: HexError(.invalidEncoding, "")) { try [UInt8](hex: text) }
    }

    @Test func digitValues() {
        #expect(UInt8(ascii: "7").hexDigitValue == 7)
        #expect(UInt8(ascii: "B").hexDigitValue == 11)
        #expect(UInt8(ascii: "g").hexDigitValue == nil)
    }
}
