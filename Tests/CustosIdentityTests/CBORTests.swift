import CustosCore
import CustosIdentity
import CustosTestSupport
import Testing

@Suite("CBOR decoder")
struct CBORTests {
    @Test("RFC 8949 Appendix A items of the supported subset decode")
    func appendixA() throws {
        let d = CBORDecoder()
        #expect(try d.decode([UInt8](h: "00")) == .unsigned(0))
        #expect(try d.decode([UInt8](h: "17")) == .unsigned(23))
        #expect(try d.decode([UInt8](h: "1818")) == .unsigned(24))
        #expect(try d.decode([UInt8](h: "1903e8")) == .unsigned(1000))
        #expect(try d.decode([UInt8](h: "1a000f4240")) == .unsigned(1_000_000))
        #expect(try d.decode([UInt8](h: "1b000000e8d4a51000")) == .unsigned(1_000_000_000_000))
        #expect(try d.decode([UInt8](h: "1bffffffffffffffff")) == .unsigned(.max))
        #expect(try d.decode([UInt8](h: "3bffffffffffffffff")) == .negative(.max))
        #expect(try d.decode([UInt8](h: "20")) == .int(-1))
        #expect(try d.decode([UInt8](h: "3863")) == .int(-100))
        #expect(try d.decode([UInt8](h: "40")) == .bytes([]))
        #expect(try d.decode([UInt8](h: "4401020304")) == .bytes([1, 2, 3, 4]))
        #expect(try d.decode([UInt8](h: "6449455446")) == .text("IETF"))
        #expect(try d.decode([UInt8](h: "62c3bc")) == .text("\u{fc}"))
        #expect(try d.decode([UInt8](h: "64f0908591")) == .text("\u{10151}"))
        #expect(try d.decode([UInt8](h: "83010203")) == .array([.unsigned(1), .unsigned(2), .unsigned(3)]))
        #expect(try d.decode([UInt8](h: "a201020304")) == .map([(.unsigned(1), .unsigned(2)), (.unsigned(3), .unsigned(4))]))
        #expect(try d.decode([UInt8](h: "a26161016162820203")) == .map([(.text("a"), .unsigned(1)), (.text("b"), .array([.unsigned(2), .unsigned(3)]))]))
        #expect(try d.decode([UInt8](h: "f4")) == .bool(false))
        #expect(try d.decode([UInt8](h: "f5")) == .bool(true))
        #expect(try d.decode([UInt8](h: "f6")) == .null)
    }

    @Test("Indefinite lengths are refused: strings, arrays, maps, and a stray break")
    func indefinite() {
        for hex in ["5f42010243030405ff", "7f657374726561646d696e67ff", "9f018202039f0405ffff", "bf61610161629f0203ffff", "ff", "81ff"] {
            #expect(cborCode([UInt8](h: hex)) == .indefiniteLength, "\(hex)")
        }
    }

    @Test("Arguments not in their shortest form are refused")
    func nonCanonical() {
        for hex in ["1817", "190017", "1a000000ff", "1b00000000ffffffff", "3817", "5801ff", "780161", "9800", "b800"] {
            #expect(cborCode([UInt8](h: hex)) == .nonCanonical, "\(hex)")
        }
    }

    @Test("Duplicate map keys are refused, including at depth")
    func duplicateKeys() {
        #expect(cborCode([UInt8](h: "a201020103")) == .duplicateKey)
        #expect(cborCode([UInt8](h: "a2616101616102")) == .duplicateKey)
        #expect(cborCode([UInt8](h: "a1616181a220012002")) == .duplicateKey)
        // 1 and -1 are distinct keys.
        #expect(cborCode([UInt8](h: "a201022003")) == nil)
    }

    @Test("Trailing bytes after the item are reported with their count")
    func trailing() throws {
        do {
            _ = try CBORDecoder().decode([UInt8](h: "010203"))
            Issue.record("trailing bytes accepted")
        } catch {
            #expect(error.code == .trailingBytes)
            #expect(error.reason.contains("2 byte(s)"))
        }
        let (value, end) = try CBORDecoder().decodePrefix([UInt8](h: "0102"))
        #expect(value == .unsigned(1) && end == 1)
    }

    @Test("Deep nesting stops at the depth limit, without recursion beyond it")
    func deepNesting() {
        let deepArrays = [UInt8](repeating: 0x81, count: 100_000) + [0x00]
        #expect(cborCode(deepArrays) == .tooLarge || cborCode(deepArrays) == .tooDeep)
        let small = [UInt8](repeating: 0x81, count: 20) + [0x00]
        #expect(cborCode(small) == .tooDeep)
        #expect(cborCode(small, CBORDecoder(maxDepth: 21)) == nil)
        let deepMaps = Array([[UInt8]](repeating: [0xa1, 0x00], count: 40).joined()) + [0x00]
        #expect(cborCode(deepMaps) == .tooDeep)
    }

    @Test("Huge announced lengths are refused before allocation")
    func hugeLengths() {
        for hex in ["5bffffffffffffffff", "7bffffffffffffffff", "9bffffffffffffffff", "bbffffffffffffffff",
                    "5a7fffffff00", "9a7fffffff00", "ba7fffffff0000", "5a00010001"] {
            #expect(cborCode([UInt8](h: hex)) == .tooLarge, "\(hex)")
        }
        #expect(cborCode([UInt8](repeating: 0, count: 70_000)) == .tooLarge)  // input over the limit
    }

    @Test("Truncated items are refused")
    func truncated() {
        for hex in ["", "18", "19ff", "1a0000", "1b00000000000000", "4201", "62c3", "8201", "a101", "a2010203", "5903e8"] {
            #expect(cborCode([UInt8](h: hex)) == .truncated, "\(hex)")
        }
    }

    @Test("Types WebAuthn does not use are refused: tags, floats, undefined, simple values, complex keys")
    func unsupported() {
        for hex in ["c11a514b67b0", "f93c00", "fa47c35000", "fb3ff199999999999a", "f7", "f0", "f820", "a1800001", "a1a00000", "a1f600"] {
            #expect(cborCode([UInt8](h: hex)) == .unsupportedType, "\(hex)")
        }
        for hex in ["1c", "3d", "5e", "fc", "fd", "fe"] {
            #expect(cborCode([UInt8](h: hex)) == .reserved, "\(hex)")
        }
        #expect(cborCode([UInt8](h: "62c328")) == .invalidUTF8)
        #expect(cborCode([UInt8](h: "63eda080")) == .invalidUTF8)  // an encoded surrogate
    }

    @Test("CTAP2 canonical key order is enforced when asked for")
    func keyOrder() {
        let strict = CBORDecoder(keyOrder: .ctap2Canonical)
        #expect(cborCode([UInt8](h: "a203040102"), strict) == .unsortedKeys)
        #expect(cborCode([UInt8](h: "a203040102")) == nil)
        #expect(cborCode([UInt8](h: "a201020304"), strict) == nil)
        // Shorter encodings first: 10 (0x0a) before -1 (0x20) before "a" (0x6161).
        #expect(cborCode([UInt8](h: "a30a012002616103"), strict) == nil)
        #expect(cborCode([UInt8](h: "a36161030a012002"), strict) == .unsortedKeys)
    }

    @Test("Encoder output decodes to the same value, in CTAP2 canonical form", arguments: 0..<200)
    func roundTrip(seed: Int) throws {
        var rng = SeededGenerator(seed: UInt64(seed))
        let value = randomValue(&rng, depth: 0)
        let bytes = CBOREncoder.encode(value)
        let decoded = try CBORDecoder(maxDepth: 16, keyOrder: .ctap2Canonical).decode(bytes)
        #expect(CBOREncoder.encode(decoded) == bytes)
    }

    private func randomValue(_ rng: inout SeededGenerator, depth: Int) -> CBORValue {
        let widths: [UInt64] = [23, 0xff, 0xffff, 0xffff_ffff, .max]
        switch Int.random(in: 0..<(depth < 4 ? 8 : 6), using: &rng) {
        case 0: return .unsigned(UInt64.random(in: 0...widths.randomElement(using: &rng)!, using: &rng))
        case 1: return .negative(UInt64.random(in: 0...widths.randomElement(using: &rng)!, using: &rng))
        case 2: return .bytes(rng.bytes(Int.random(in: 0..<40, using: &rng)))
        case 3: return .text(String((0..<Int.random(in: 0..<12, using: &rng)).map { _ in "aé€😀z".randomElement(using: &rng)! }))
        case 4: return .bool(Bool.random(using: &rng))
        case 5: return .null
        case 6: return .array((0..<Int.random(in: 0..<5, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var entries: [(key: CBORValue, value: CBORValue)] = []
            var keys: Set<CBORValue> = []
            for i in 0..<Int.random(in: 0..<5, using: &rng) {
                let key: CBORValue = Bool.random(using: &rng) ? .int(Int64(i) - 2) : .text("k\(i)")
                if keys.insert(key).inserted { entries.append((key, randomValue(&rng, depth: depth + 1))) }
            }
            return .map(entries)
        }
    }
}
