import CustosCore
import Foundation
import Testing

/// The tagged binary encoding: every shape `Codable` synthesises comes back as it went in, byte
/// strings are stored as bytes, and bytes that are not a whole encoding are refused by name.
@Suite struct TaggedBinaryTests {
    enum Side: String, Codable, CaseIterable { case buy, sell }

    enum Event: Codable, Equatable {
        case opened(id: String, at: UInt64)
        case signed([UInt8])
        case closed
    }

    struct Limits: Codable, Equatable {
        var perDay: Int64?
        var ratio: Double
        var small: Float
    }

    struct Room: Codable, Equatable {
        var name: String
        var key: [UInt8]
        var keys: Set<[UInt8]>
        var byID: [String: Limits]
        var byHeight: [UInt64: String]
        var byKey: [[UInt8]: Int]
        var sides: [Side: Int]
        var events: [Event]
        var nested: [[Int8?]]
        var empty: [String]
        var flag: Bool
        var note: String?
        var data: Data
        var wide: Int128
        var huge: UInt128
    }

    /// A class and its subclass, which encode through `superEncoder`.
    class Base: Codable {
        var height: UInt32
        init(height: UInt32) { self.height = height }
    }

    final class Derived: Base {
        var label: String
        init(height: UInt32, label: String) {
            self.label = label
            super.init(height: height)
        }

        private enum CodingKeys: String, CodingKey { case label }

        required init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            label = try c.decode(String.self, forKey: .label)
            try super.init(from: try c.superDecoder())
        }

        override func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(label, forKey: .label)
            try super.encode(to: c.superEncoder())
        }
    }

    static let room = Room(
        name: "desk é ✓", key: Array(0..<32), keys: [[1, 2], [], [255]],
        byID: ["a": Limits(perDay: -5, ratio: -0.0, small: 1.5), "b": Limits(perDay: nil, ratio: .infinity, small: -2)],
        byHeight: [0: "zero", .max: "max"], byKey: [[0xde, 0xad]: Int.min, []: Int.max], sides: [.buy: 1, .sell: 2],
        events: [.opened(id: "r-1", at: 1_800_000_000_000), .signed([9, 8, 7]), .closed],
        nested: [[1, nil, -128], [], [127]], empty: [], flag: true, note: nil, data: Data([0, 1, 2]),
        wide: -5_000_000_000_000_000_000_000_000, huge: .max)

    @Test func everySynthesisedShapeComesBackAsItWentIn() throws {
        let bytes = try TaggedBinaryEncoder().encode(Self.room)
        #expect(try TaggedBinaryDecoder().decode(Room.self, from: bytes) == Self.room)
        let derived = try TaggedBinaryDecoder().decode(Derived.self, from: try TaggedBinaryEncoder().encode(Derived(height: 7, label: "sub")))
        #expect(derived.height == 7 && derived.label == "sub")
        // Doubles by their bits: the sign of zero and a NaN's payload come back.
        for d in [-0.0, Double(nan: 0x1234, signaling: false), -.infinity, .leastNonzeroMagnitude] {
            #expect(try TaggedBinaryDecoder().decode(Double.self, from: try TaggedBinaryEncoder().encode(d)).bitPattern == d.bitPattern)
        }
        let decoded = try TaggedBinaryDecoder().decode(Room.self, from: bytes)
        #expect(decoded.byID["a"]?.ratio.sign == .minus)
        #expect(try TaggedBinaryDecoder().decode(Int64?.self, from: try TaggedBinaryEncoder().encode(Int64?.none)) == nil)
    }

    /// A byte string is its tag, its length and its bytes: 32 bytes take 34, not the 100-odd
    /// characters of a JSON list of numbers.
    @Test func aByteStringIsStoredAsItsBytes() throws {
        let key = [UInt8](repeating: 0xAB, count: 32)
        #expect(try TaggedBinaryEncoder().encode(key) == Array("CTB1".utf8) + [7, 32] + key)
        #expect(try TaggedBinaryEncoder().encode("é") == Array("CTB1".utf8) + [6, 2, 0xC3, 0xA9])
        #expect(try TaggedBinaryEncoder().encode(Int64(-1)) == Array("CTB1".utf8) + [3, 1])
        #expect(try TaggedBinaryEncoder().encode(UInt64(300)) == Array("CTB1".utf8) + [4, 0xAC, 0x02])
        #expect(try TaggedBinaryEncoder().encode(Int128(-2)) == Array("CTB1".utf8) + [10, 0xFE] + [UInt8](repeating: 0xFF, count: 15))
    }

    /// Numbers keep their kind: an integer is not read as a double nor the reverse, and an
    /// integer reads as a narrower type only when it fits.
    @Test func numbersAreNotConvertedBetweenKinds() throws {
        let encoder = TaggedBinaryEncoder(), decoder = TaggedBinaryDecoder()
        #expect(throws: DecodingError.self) { try decoder.decode(Double.self, from: try encoder.encode(Int64(2))) }
        #expect(throws: DecodingError.self) { try decoder.decode(Int64.self, from: try encoder.encode(2.0)) }
        #expect(throws: DecodingError.self) { try decoder.decode(UInt8.self, from: try encoder.encode(256)) }
        #expect(throws: DecodingError.self) { try decoder.decode(UInt64.self, from: try encoder.encode(-1)) }
        #expect(try decoder.decode(Int8.self, from: try encoder.encode(UInt64(127))) == 127)
        #expect(try decoder.decode(Int64.self, from: try encoder.encode(Int128(-7))) == -7)
        #expect(throws: DecodingError.self) { try decoder.decode(Int64.self, from: try encoder.encode(Int128.max)) }
        #expect(throws: DecodingError.self) { try decoder.decode(String.self, from: try encoder.encode([UInt8]("text".utf8))) }
        #expect(throws: DecodingError.self) { try decoder.decode(Limits.self, from: try encoder.encode([1, 2])) }
        #expect(try decoder.decode(Float.self, from: try encoder.encode(1.5)) == 1.5)
        #expect(throws: DecodingError.self) { try decoder.decode(Float.self, from: try encoder.encode(1e300)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Float.self, from: try encoder.encode(0.1)) }
    }

    /// What an attacker who can write the bytes would try: each is refused with the reason, and
    /// none crashes or allocates what the bytes merely claim.
    @Test(arguments: [
        ([], "header"),
        (Array("CTB2".utf8) + [0], "header"),
        (Array("CTB1".utf8), "ends at byte 4"),
        (Array("CTB1".utf8) + [12], "unknown tag 12"),
        (Array("CTB1".utf8) + [10, 1, 2], "run past the end"),
        (Array("CTB1".utf8) + [0, 0], "1 bytes follow the value"),
        (Array("CTB1".utf8) + [7, 5, 1, 2], "runs past the end"),
        (Array("CTB1".utf8) + [8, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], "runs past the end"),
        (Array("CTB1".utf8) + [4] + [UInt8](repeating: 0xFF, count: 10) + [0x01], "does not fit 64 bits"),
        (Array("CTB1".utf8) + [4, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], "does not fit 64 bits"),
        (Array("CTB1".utf8) + [6, 2, 0xC3, 0x28], "not UTF-8"),
        (Array("CTB1".utf8) + [5, 1, 2, 3], "run past the end"),
        (Array("CTB1".utf8) + [UInt8](repeating: 8, count: 600).flatMap { [$0, 1] }, "nest deeper than 512"),
        // Lists nested 500 deep, each claiming as many elements as bytes are left: refused at the
        // bottom without reserving room for what every level claims.
        (Array("CTB1".utf8) + (0..<500).flatMap { level in [8, 0xC0, 0x84, 0x3D] } + [UInt8](repeating: 0xC0, count: 1_000_000),
         "unknown tag 192"),
        (Array("CTB1".utf8) + [9, 2, 1, 0x61, 0, 1, 0x61, 0], "holds the key \"a\" twice"),
        // "é" spelled NFC and NFD: one key to a Swift dictionary, so one of them would be lost.
        (Array("CTB1".utf8) + [9, 2, 2, 0xC3, 0xA9, 0, 3, 0x65, 0xCC, 0x81, 0], "twice"),
    ] as [([UInt8], String)])
    func bytesThatAreNotAWholeEncodingAreRefused(bytes: [UInt8], says: String) {
        do {
            _ = try TaggedBinaryDecoder().decode(Room.self, from: bytes)
            Issue.record("accepted \(bytes.prefix(16))")
        } catch let error as TaggedBinaryError {
            #expect(error.code == .malformed && error.reason.contains(says), "\(error)")
        } catch {
            Issue.record("not a TaggedBinaryError: \(error)")
        }
    }

    @Test func aKeyTwiceInOneMapIsRefused() throws {
        // {"ratio": 1.0, "ratio": 2.0, "small": 1.0}: the second value must not silently win.
        func double(_ d: Double) -> [UInt8] { [5] + (0..<8).map { UInt8(truncatingIfNeeded: d.bitPattern >> (8 * UInt64($0))) } }
        let key = Array("ratio".utf8), small = Array("small".utf8)
        let bytes = Array("CTB1".utf8) + [9, 3] + [5] + key + double(1) + [5] + key + double(2) + [5] + small + double(1)
        #expect(throws: TaggedBinaryError(.malformed, "")) { try TaggedBinaryDecoder().decode(Limits.self, from: bytes) }
        let once = Array("CTB1".utf8) + [9, 2] + [5] + key + double(1) + [5] + small + double(1)
        #expect(try TaggedBinaryDecoder().decode(Limits.self, from: once) == Limits(perDay: nil, ratio: 1, small: 1))
        // A type that encodes one key twice is refused when it is encoded, not when it is read back.
        #expect(throws: TaggedBinaryError(.malformed, "")) { try TaggedBinaryEncoder().encode(KeyTwice()) }
    }

    struct KeyTwice: Encodable {
        private enum CodingKeys: String, CodingKey { case id }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode("first", forKey: .id)
            try c.encode("second", forKey: .id)
        }
    }

    /// A list element that failed to decode as one type is still there to decode as another.
    @Test func aFailedListElementCanBeReadAgain() throws {
        struct Either: Decodable, Equatable {
            var values: [String] = []
            init(from decoder: any Decoder) throws {
                var c = try decoder.unkeyedContainer()
                while !c.isAtEnd {
                    if let n = try? c.decode(Int64.self) { values.append("int \(n)") } else { values.append("text " + (try c.decode(String.self))) }
                }
            }
        }
        let bytes = try TaggedBinaryEncoder().encode([JSONValue.integer(1), .string("two"), .integer(3)])
        #expect(try TaggedBinaryDecoder().decode(Either.self, from: bytes).values == ["int 1", "text two", "int 3"])
    }
}
