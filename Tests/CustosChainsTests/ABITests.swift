import BigInt
import CustosChains
import CustosCore
import CustosCrypto
import CustosTestSupport
import Testing

@Suite struct ABITests {
    @Test func solidityDocumentationExamples() throws {
        let baz = try EVM.ABI.encodeCall("baz(uint32,bool)", [.uint(69), .bool(true)])
        #expect(baz.hexString == "cdcd77c0"
            + "0000000000000000000000000000000000000000000000000000000000000045"
            + "0000000000000000000000000000000000000000000000000000000000000001")
        let sam = try EVM.ABI.encodeCall(
            "sam(bytes,bool,uint256[])", [.bytes(Array("dave".utf8)), .bool(true), .array([.uint(1), .uint(2), .uint(3)])])
        #expect(sam.hexString == "a5643bf2"
            + "0000000000000000000000000000000000000000000000000000000000000060"
            + "0000000000000000000000000000000000000000000000000000000000000001"
            + "00000000000000000000000000000000000000000000000000000000000000a0"
            + "0000000000000000000000000000000000000000000000000000000000000004"
            + "6461766500000000000000000000000000000000000000000000000000000000"
            + "0000000000000000000000000000000000000000000000000000000000000003"
            + "0000000000000000000000000000000000000000000000000000000000000001"
            + "0000000000000000000000000000000000000000000000000000000000000002"
            + "0000000000000000000000000000000000000000000000000000000000000003")
        let types = try EVM.ABIType.parseList("bytes,bool,uint256[]")
        #expect(try EVM.ABI.decode(types, from: sam.dropFirst(4), canonical: true)
            == [.bytes(Array("dave".utf8)), .bool(true), .array([.uint(1), .uint(2), .uint(3)])])
    }

    @Test func selectorsOfKnownFunctions() {
        #expect(EVM.ABI.selector("transfer(address,uint256)").hexString == "a9059cbb")
        #expect(EVM.ABI.selector("approve(address,uint256)").hexString == "095ea7b3")
        #expect(EVM.ABI.selector("transferFrom(address,address,uint256)").hexString == "23b872dd")
        #expect(EVM.ABI.selector("multiSend(bytes)").hexString == "8d80ff0a")
        #expect(EVM.ABI.selector(
            "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)").hexString
            == "6a761202")
    }

    @Test(arguments: ["uint", "int", "byte", "uint7", "uint264", "bytes0", "bytes33", "(uint256", "uint256[", "uint256[0]",
                      "uint256[01]", "foo", "(uint256,)", "uint8[999999][999999][999999]"])
    func rejectsBadTypes(_ text: String) {
        #expect(throws: EVMError.self) { try EVM.ABIType(parsing: text) }
    }

    @Test func parsesCanonicalTypes() throws {
        for text in ["uint256", "int8", "bytes32", "address[]", "(address,(bytes,string)[2])[]", "()", "bool[3][]"] {
            #expect(try EVM.ABIType(parsing: text).description == text)
        }
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        let name: String
        let types: String
        let data: String
        let code: EVMError.Code
        var testDescription: String { name }
    }

    static let word1 = String(repeating: "0", count: 63) + "1"
    static let malformed: [Malformed] = [
        Malformed(name: "short word", types: "uint256", data: "00", code: .truncated),
        Malformed(name: "uint8 overflow", types: "uint8", data: String(repeating: "0", count: 60) + "0100", code: .outOfRange),
        Malformed(name: "address dirty bits", types: "address", data: "01" + String(repeating: "0", count: 62), code: .invalidABI),
        Malformed(name: "bool 2", types: "bool", data: String(repeating: "0", count: 63) + "2", code: .invalidABI),
        Malformed(name: "int8 not sign-extended", types: "int8", data: String(repeating: "0", count: 62) + "ff", code: .outOfRange),
        Malformed(name: "bytes4 dirty padding", types: "bytes4", data: "aabbccdd01" + String(repeating: "0", count: 54), code: .invalidABI),
        Malformed(name: "offset past end", types: "bytes", data: String(repeating: "0", count: 62) + "40", code: .truncated),
        Malformed(name: "huge offset", types: "bytes", data: "ff" + String(repeating: "0", count: 62), code: .tooLarge),
        Malformed(name: "length past end", types: "bytes", data: String(repeating: "0", count: 62) + "20" + String(repeating: "0", count: 62) + "40", code: .truncated),
        Malformed(name: "huge array length", types: "uint256[]", data: String(repeating: "0", count: 62) + "20" + String(repeating: "0", count: 56) + "7fffffff", code: .truncated),
        Malformed(name: "invalid utf8", types: "string", data: String(repeating: "0", count: 62) + "20" + word1 + "ff" + String(repeating: "0", count: 62), code: .invalidABI),
        Malformed(name: "bytes dirty padding", types: "bytes", data: String(repeating: "0", count: 62) + "20" + word1 + "aa01" + String(repeating: "0", count: 60), code: .invalidABI),
    ]

    @Test(arguments: malformed)
    func rejectsMalformed(_ vector: Malformed) throws {
        let types = try EVM.ABIType.parseList(vector.types)
        #expect(throws: EVMError(vector.code, "")) { try EVM.ABI.decode(types, from: hex(vector.data)) }
    }

    @Test func aliasingOffsetsCannotBlowUp() throws {
        // uint256[][] whose 1000 inner offsets all point at the same 1000-element array.
        var data = EVM.ABI.encodeWordForTest(32) + EVM.ABI.encodeWordForTest(1000)
        for _ in 0..<1000 { data += EVM.ABI.encodeWordForTest(32 * 1000) }
        data += EVM.ABI.encodeWordForTest(1000)
        for _ in 0..<1000 { data += EVM.ABI.encodeWordForTest(7) }
        #expect(throws: EVMError(.tooLarge, "")) {
            try EVM.ABI.decode([.array(.array(.uint(bits: 256)))], from: data)
        }
    }

    @Test func trailingBytesAreNonCanonical() throws {
        let data = try EVM.ABI.encode([.uint(1)], as: [.uint(bits: 256)]) + [0]
        #expect(try EVM.ABI.decode([.uint(bits: 256)], from: data) == [.uint(1)])
        #expect(throws: EVMError(.nonCanonical, "")) { try EVM.ABI.decode([.uint(bits: 256)], from: data, canonical: true) }
    }

    // MARK: Cross-check with eth-abi

    static func randomType(_ rng: inout SeededGenerator, depth: Int = 0) -> EVM.ABIType {
        let choice = Int.random(in: 0..<(depth < 3 ? 12 : 9), using: &rng)
        switch choice {
        case 0: return .uint(bits: 8 * Int.random(in: 1...32, using: &rng))
        case 1: return .int(bits: 8 * Int.random(in: 1...32, using: &rng))
        case 2: return .address
        case 3: return .bool
        case 4: return .fixedBytes(Int.random(in: 1...32, using: &rng))
        case 5: return .bytes
        case 6: return .string
        case 7: return .uint(bits: 256)
        case 8: return .address
        case 9: return .array(randomType(&rng, depth: depth + 1))
        case 10: return .fixedArray(randomType(&rng, depth: depth + 1), Int.random(in: 1...3, using: &rng))
        default: return .tuple((0..<Int.random(in: 1...4, using: &rng)).map { _ in randomType(&rng, depth: depth + 1) })
        }
    }

    static let sampleText = ["", "a", "custos", "Grüße, 世界 🚀", String(repeating: "x", count: 70)]

    static func randomValue(_ type: EVM.ABIType, _ rng: inout SeededGenerator) -> EVM.ABIValue {
        switch type {
        case .uint(let bits): return .uint(rng.bigUInt(maxBits: bits))
        case .int(let bits):
            let magnitude = rng.bigUInt(maxBits: bits - 1)
            return .int(Bool.random(using: &rng) ? BigInt(magnitude) : -BigInt(magnitude) - (Bool.random(using: &rng) ? 1 : 0))
        case .address: return .address(rng.address())
        case .bool: return .bool(Bool.random(using: &rng))
        case .fixedBytes(let n): return .fixedBytes(rng.bytes(n))
        case .bytes: return .bytes(rng.bytes([0, 1, 31, 32, 33, Int.random(in: 0...100, using: &rng)].randomElement(using: &rng)!))
        case .string: return .string(sampleText.randomElement(using: &rng)!)
        case .fixedArray(let element, let n): return .array((0..<n).map { _ in randomValue(element, &rng) })
        case .array(let element): return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in randomValue(element, &rng) })
        case .tuple(let members): return .tuple(members.map { randomValue($0, &rng) })
        }
    }

    static func json(_ value: EVM.ABIValue) -> JSONValue {
        switch value {
        case .uint(let v): .string(String(v))
        case .int(let v): .string(String(v))
        case .address(let a): .string(a.rawValue.hexString)
        case .bool(let b): .bool(b)
        case .fixedBytes(let b), .bytes(let b): .string(b.hexString)
        case .string(let s): .string(s)
        case .array(let items), .tuple(let items): .array(items.map(json))
        }
    }

    struct Case: Encodable { let types: [String]; let values: [JSONValue]; let swift: String }
    struct Request: Encodable { let cases: [Case] }
    struct Response: Decodable {
        struct Result: Decodable { let encoded: String; let decodedSwift: [JSONValue] }
        let cases: [Result]
    }

    @Test func crossCheckWithEthABI() async throws {
        var rng = SeededGenerator(seed: 0xAB1)
        var cases: [([EVM.ABIType], [EVM.ABIValue], [UInt8])] = []
        for _ in 0..<400 {
            let types = (0..<Int.random(in: 1...4, using: &rng)).map { _ in Self.randomType(&rng) }
            let values = types.map { Self.randomValue($0, &rng) }
            cases.append((types, values, try EVM.ABI.encode(values, as: types)))
        }
        let request = Request(cases: cases.map {
            Case(types: $0.0.map(\.description), values: $0.1.map(Self.json), swift: $0.2.hexString)
        })
        let response = try await PythonPeer.call("evm_abi.py", request, as: Response.self)
        #expect(response.cases.count == cases.count)
        for ((types, values, encoded), theirs) in zip(cases, response.cases) {
            let signature = types.map(\.description).joined(separator: ",")
            #expect(encoded.hexString == theirs.encoded, "encoding of (\(signature))")
            #expect(try EVM.ABI.decode(types, from: hex(theirs.encoded), canonical: true) == values, "decoding (\(signature))")
            #expect(theirs.decodedSwift == values.map(Self.json), "eth-abi decoding our (\(signature))")
        }
    }
}

extension EVM.ABI {
    static func encodeWordForTest(_ value: Int) -> [UInt8] {
        try! encode([.uint(BigUInt(value))], as: [.uint(bits: 256)])
    }
}

extension ABITests {
    struct DecodeOnly: Encodable { let types: [String]; let data: String }
    struct DecodeRequest: Encodable { let decodeOnly: [DecodeOnly] }
    struct DecodeResponse: Decodable { let decodeOnly: [[JSONValue]?] }

    /// Mutated encodings decoded by both sides: whatever both accept decodes to the same
    /// values, and we accept nothing eth-abi refuses.
    @Test func mutatedDataAgreesWithEthABI() async throws {
        var rng = SeededGenerator(seed: 0xAB2)
        var cases: [([EVM.ABIType], [UInt8])] = []
        for _ in 0..<400 {
            let types = (0..<Int.random(in: 1...3, using: &rng)).map { _ in Self.randomType(&rng) }
            let values = types.map { Self.randomValue($0, &rng) }
            cases.append((types, HostileInputTests.mutate(try EVM.ABI.encode(values, as: types), &rng)))
        }
        let response = try await PythonPeer.call(
            "evm_abi.py",
            DecodeRequest(decodeOnly: cases.map { DecodeOnly(types: $0.0.map(\.description), data: $0.1.hexString) }),
            as: DecodeResponse.self)
        #expect(response.decodeOnly.count == cases.count)
        var bothAccept = 0, onlyTheyAccept = 0
        for ((types, data), theirs) in zip(cases, response.decodeOnly) {
            let ours = try? EVM.ABI.decode(types, from: data)
            let signature = types.map(\.description).joined(separator: ",")
            switch (ours, theirs) {
            case (let ours?, let theirs?):
                bothAccept += 1
                #expect(ours.map(Self.json) == theirs, "(\(signature)) \(data.hexString)")
            case (.some, nil):
                Issue.record("we accept what eth-abi refuses: (\(signature)) \(data.hexString)")
            case (nil, .some):
                onlyTheyAccept += 1
            case (nil, nil):
                break
            }
        }
        #expect(bothAccept > 20)
        #expect(onlyTheyAccept == 0)
    }
}
