import CustosCore
import Testing

/// The shared codec's one rule for integers, counts and framing, and its strict reader.
@Suite struct CanonicalCodecTests {
    /// A domain to report decoding errors in, with separate codes for "malformed" and "too large".
    enum TestCode: String, DecodingErrorCode {
        case malformed, tooLarge
        static var malformedEncoding: Self { .malformed }
        static var encodingLimitExceeded: Self { .tooLarge }
    }

    typealias Reader = CanonicalReader<TestCode>

    @Test func integersAreBigEndianAtFullWidth() {
        var w = CanonicalWriter()
        w.append(UInt8(0x01))
        w.append(UInt16(0x0203))
        w.append(UInt32(0x0405_0607))
        w.append(UInt64(0x0809_0a0b_0c0d_0e0f))
        w.append(true)
        w.append(false)
        #expect(w.bytes == Array(1...15) + [1, 0])
    }

    @Test func lengthsAndCountsAre32BitsUnlessNamed() {
        var w = CanonicalWriter()
        w.append(lengthPrefixed: [0xaa, 0xbb])
        w.append(string: "é", prefix: .uint8)
        w.append(count: 3, prefix: .uint16)
        w.append(strings: ["a"])
        w.append(optional: nil)
        w.append(optional: [7])
        w.append(raw: [0xff])
        #expect(w.bytes == [0, 0, 0, 2, 0xaa, 0xbb, 2, 0xc3, 0xa9, 0, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0x61, 0, 1, 0, 0, 0, 1, 7, 0xff])
    }

    @Test func readerReadsWhatTheWriterWrote() throws {
        var w = CanonicalWriter()
        w.append(UInt64.max)
        w.append(string: "name", prefix: .uint8)
        w.append(strings: ["x", "yz"])
        w.append(optional: [1, 2])
        w.append(true)
        var r = Reader(w.bytes, what: "value")
        #expect(try r.uint64("number") == .max)
        #expect(try r.string("name", max: 255, prefix: .uint8) == "name")
        #expect(try r.strings("list", maxCount: 2, maxLength: 2) == ["x", "yz"])
        #expect(try r.optional("option", max: 2) == [1, 2])
        #expect(try r.bool("flag"))
        try r.finish()
    }

    @Test func truncationNamesTheValueAndTheField() {
        var r = Reader([0, 0, 0, 5, 1], what: "record")
        do {
            _ = try r.lengthPrefixed("payload", max: 10)
            Issue.record("a truncated payload was accepted")
        } catch {
            #expect(error.code == .malformed)
            #expect(error.reason == "record: truncated at payload: needs 5 bytes, 1 left")
        }
    }

    @Test func limitsAreCheckedBeforeReadingAndReportedInTheirOwnCode() {
        var r = Reader([0, 0, 0, 11] + [UInt8](repeating: 0, count: 11), what: "record")
        #expect(throws: CustosError(TestCode.tooLarge, "")) { _ = try r.lengthPrefixed("payload", max: 10) }
    }

    @Test func trailingBytesInvalidUTF8AndNonBooleansAreRefused() {
        #expect(throws: CustosError(TestCode.malformed, "")) { try Reader([0], what: "empty").finish() }
        var utf8 = Reader([1, 0xff], what: "name")
        #expect(throws: CustosError(TestCode.malformed, "")) { _ = try utf8.string("name", max: 1, prefix: .uint8) }
        var flag = Reader([2], what: "flag")
        #expect(throws: CustosError(TestCode.malformed, "")) { _ = try flag.bool("flag") }
    }

    @Test func writerHandsItsBufferOverInPlace() {
        var w = CanonicalWriter()
        w.append(raw: [1, 2, 3])
        let copy = w.withBuffer { bytes in
            let copy = bytes
            for i in bytes.indices { bytes[i] = 0 }
            return copy
        }
        #expect(copy == [1, 2, 3])
        #expect(w.bytes == [0, 0, 0])
    }
}
