import BigInt
import CustosChains
import CustosCore
import CustosCrypto
import CustosTestSupport
import Testing

@Suite struct RLPTests {
    typealias Item = EVM.RLP.Item

    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let item: Item
        let encoded: String
        var testDescription: String { name }
    }

    static let lorem = Array("Lorem ipsum dolor sit amet, consectetur adipisicing elit".utf8)

    // Yellow Paper appendix B and the Ethereum wiki's RLP examples.
    static let vectors: [Vector] = [
        Vector(name: "dog", item: .bytes(Array("dog".utf8)), encoded: "83646f67"),
        Vector(name: "[cat, dog]", item: .list([.bytes(Array("cat".utf8)), .bytes(Array("dog".utf8))]),
               encoded: "c88363617483646f67"),
        Vector(name: "empty string", item: .bytes([]), encoded: "80"),
        Vector(name: "empty list", item: .list([]), encoded: "c0"),
        Vector(name: "integer 0", item: .uint(UInt64(0)), encoded: "80"),
        Vector(name: "byte 0x00", item: .bytes([0]), encoded: "00"),
        Vector(name: "integer 15", item: .uint(UInt64(15)), encoded: "0f"),
        Vector(name: "integer 1024", item: .uint(UInt64(1024)), encoded: "820400"),
        Vector(name: "set-theoretic three", item: .list([.list([]), .list([.list([])]), .list([.list([]), .list([.list([])])])]),
               encoded: "c7c0c1c0c3c0c1c0"),
        Vector(name: "56-byte string", item: .bytes(lorem),
               encoded: "b838" + lorem.hexString),
        Vector(name: "byte 0x80", item: .bytes([0x80]), encoded: "8180"),
    ]

    @Test(arguments: vectors)
    func knownVector(_ vector: Vector) throws {
        #expect(EVM.RLP.encode(vector.item).hexString == vector.encoded)
        #expect(try EVM.RLP.decode(hex(vector.encoded)) == vector.item)
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: String
        let code: EVMError.Code
        var testDescription: String { name }
    }

    static let malformed: [Malformed] = [
        Malformed(name: "empty input", bytes: "", code: .truncated),
        Malformed(name: "string shorter than announced", bytes: "83646f", code: .truncated),
        Malformed(name: "list shorter than announced", bytes: "c88363617483646f", code: .truncated),
        Malformed(name: "long length field cut off", bytes: "b9", code: .truncated),
        Malformed(name: "trailing bytes", bytes: "83646f6700", code: .trailingBytes),
        Malformed(name: "two items", bytes: "8080", code: .trailingBytes),
        Malformed(name: "single byte wrapped", bytes: "8105", code: .nonCanonical),
        Malformed(name: "long form for short string", bytes: "b803646f67", code: .nonCanonical),
        Malformed(name: "long form for short list", bytes: "f803c0c0c0", code: .nonCanonical),
        Malformed(name: "length with leading zero", bytes: "b90038" + String(repeating: "61", count: 56), code: .nonCanonical),
        Malformed(name: "absurd length", bytes: "bf" + "ffffffffffffffff", code: .tooLarge),
        Malformed(name: "list item overruns parent", bytes: "c2830102", code: .truncated),
    ]

    @Test(arguments: malformed)
    func rejectsMalformed(_ vector: Malformed) {
        #expect(throws: EVMError(vector.code, "")) { try EVM.RLP.decode(hex(vector.bytes)) }
    }

    @Test func rejectsDeepNestingAndOversizeInput() throws {
        var deep: Item = .list([])
        for _ in 0..<20 { deep = .list([deep]) }
        let encoded = EVM.RLP.encode(deep)
        #expect(throws: EVMError(.tooDeep, "")) { try EVM.RLP.decode(encoded) }
        #expect(try EVM.RLP.decode(encoded, limits: .init(maxDepth: 32)) == deep)
        // Deep nesting far beyond any stack: refused, not a crash.
        let bomb = [UInt8](repeating: 0xC1, count: 100_000) + [0xC0]
        #expect(throws: EVMError.self) { try EVM.RLP.decode(bomb) }
        let big = EVM.RLP.encode(.bytes([UInt8](repeating: 7, count: 2 << 20)))
        #expect(throws: EVMError(.tooLarge, "")) { try EVM.RLP.decode(big) }
    }

    @Test func integerFieldsAreCanonical() throws {
        #expect(throws: EVMError(.nonCanonical, "")) { try Item.bytes([0, 1]).uint("nonce") }
        #expect(throws: EVMError(.outOfRange, "")) { try Item.bytes([UInt8](repeating: 1, count: 33)).uint("value") }
        #expect(throws: EVMError(.outOfRange, "")) { try Item.bytes([UInt8](repeating: 1, count: 9)).uint64("nonce") }
        #expect(throws: EVMError(.invalidRLP, "")) { try Item.list([]).bytes("data") }
        #expect(try Item.bytes([]).uint64("nonce") == 0)
    }

    // MARK: Cross-check with pyrlp

    static func randomItem(_ rng: inout SeededGenerator, depth: Int = 0) -> Item {
        if depth < 4 && Int.random(in: 0..<3, using: &rng) == 0 {
            return .list((0..<Int.random(in: 0...5, using: &rng)).map { _ in randomItem(&rng, depth: depth + 1) })
        }
        let length: Int
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: length = 0
        case 1: length = 1
        case 2: length = Int.random(in: 50...60, using: &rng)
        case 3: length = Int.random(in: 250...300, using: &rng)
        default: length = Int.random(in: 2...40, using: &rng)
        }
        return .bytes(rng.bytes(length))
    }

    static func json(_ item: Item) -> JSONValue {
        switch item {
        case .bytes(let b): .string(b.hexString)
        case .list(let items): .array(items.map(json))
        }
    }

    struct Request: Encodable { let encode: [JSONValue]; let decode: [String] }
    struct Response: Decodable { let encode: [String]; let decode: [JSONValue] }

    @Test func crossCheckWithPyRLP() async throws {
        var rng = SeededGenerator(seed: 0x524C50)
        let items = (0..<400).map { _ in Self.randomItem(&rng) }
        // Mutations of valid encodings: each is accepted by pyrlp exactly when by us.
        var mutated: [[UInt8]] = []
        for item in items.prefix(300) {
            var bytes = EVM.RLP.encode(item)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes.removeLast(Int.random(in: 0...min(3, bytes.count - 1), using: &rng))
            case 2: bytes.append(UInt8.random(in: 0...255, using: &rng))
            default: bytes[0] = UInt8.random(in: 0x80...0xFF, using: &rng)
            }
            mutated.append(bytes)
        }
        let response = try await PythonPeer.call(
            "evm_rlp.py", Request(encode: items.map(Self.json), decode: mutated.map(\.hexString)), as: Response.self)
        #expect(response.encode.count == items.count)
        for (item, expected) in zip(items, response.encode) {
            #expect(EVM.RLP.encode(item).hexString == expected)
            #expect(try EVM.RLP.decode(hex(expected)) == item)
        }
        var accepted = 0
        for (bytes, theirs) in zip(mutated, response.decode) {
            let ours = try? EVM.RLP.decode(bytes)
            if theirs == .null {
                #expect(ours == nil, "we accept \(bytes.hexString), pyrlp refuses it")
            } else {
                accepted += 1
                #expect(ours.map(Self.json) == theirs, "pyrlp accepts \(bytes.hexString), we decode it differently or refuse")
            }
        }
        #expect(accepted > 10 && accepted < mutated.count)
    }
}
