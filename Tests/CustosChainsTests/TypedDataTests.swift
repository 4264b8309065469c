import BigInt
import CustosChains
import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

@Suite struct TypedDataTests {
    static let mailJSON = """
    {
      "types": {
        "EIP712Domain": [
          {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
          {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}
        ],
        "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
        "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"}, {"name": "contents", "type": "string"}]
      },
      "primaryType": "Mail",
      "domain": {"name": "Ether Mail", "version": "1", "chainId": 1, "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
      "message": {
        "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
        "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
        "contents": "Hello, Bob!"
      }
    }
    """

    static func parse(_ json: String) throws -> EVM.TypedData {
        try JSONDecoder().decode(EVM.TypedData.self, from: Data(json.utf8))
    }

    /// The example in the EIP-712 specification, with every intermediate value it publishes.
    @Test func specificationMailExample() throws {
        let data = try Self.parse(Self.mailJSON)
        #expect(try data.encodeType("Mail") == "Mail(Person from,Person to,string contents)Person(string name,address wallet)")
        #expect(try data.typeHash("Mail").hexString == "a0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2")
        #expect(try data.hashStruct("Mail", data.message).hexString
            == "c52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e")
        #expect(try data.domainSeparator().hexString == "f2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f")
        let digest = try data.signingHash()
        #expect(digest.hexString == "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2")
        let key = try Secp256k1.ECDSA.PrivateKey(rawRepresentation: Keccak256.hash(Array("cow".utf8)))
        #expect(EVM.Address(publicKey: key.publicKey) == address("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"))
        let signature = try key.signature(forDigest: digest)
        #expect(signature.r.hexString == "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d")
        #expect(signature.s.hexString == "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562")
        #expect(signature.recoveryID == 1)  // v = 28
    }

    @Test func rejectsInconsistentData() throws {
        var data = try Self.parse(Self.mailJSON)
        data.message = .object([("from", data.message["from"]!), ("to", data.message["to"]!)])
        #expect(throws: EVMError(.invalidTypedData, "")) { try data.signingHash() }
        data = try Self.parse(Self.mailJSON)
        data.message = .object([("from", data.message["from"]!), ("to", data.message["to"]!),
                                ("contents", .string("x")), ("extra", .string("hidden"))])
        #expect(throws: EVMError(.invalidTypedData, "")) { try data.signingHash() }
        data = try Self.parse(Self.mailJSON)
        data.types["Person"] = [.init(name: "name", type: "string"), .init(name: "friend", type: "Mail")]
        #expect(throws: EVMError(.invalidTypedData, "")) { try data.signingHash() }
        // A declared member spelled twice (NFC and NFD "é"): the second spelling would never be
        // hashed, so the message is refused.
        data = try Self.parse(Self.mailJSON)
        data.types["Mail"] = [.init(name: "from", type: "Person"), .init(name: "to", type: "Person"), .init(name: "cont\u{E9}nt", type: "string")]
        data.message = .object([("from", data.message["from"]!), ("to", data.message["to"]!), ("cont\u{E9}nt", .string("x"))])
        #expect(throws: Never.self) { try data.signingHash() }
        data.message = .object([("from", data.message["from"]!), ("to", data.message["to"]!), ("cont\u{E9}nt", .string("x")),
                                ("conte\u{301}nt", .string("hidden"))])
        #expect(throws: EVMError(.invalidTypedData, "")) { try data.signingHash() }
        data = try Self.parse(Self.mailJSON)
        data.primaryType = "Letter"
        #expect(throws: EVMError(.invalidTypedData, "")) { try data.signingHash() }
        data = try Self.parse(Self.mailJSON.replacingOccurrences(of: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826",
                                                                 with: "0xcD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"))
        #expect(throws: EVMError(.invalidChecksum, "")) { try data.signingHash() }
    }

    // MARK: Cross-check with eth-account

    struct Personal: Encodable { let message: String; let key: String }
    struct Validator: Encodable { let validator: String; let data: String }
    struct Request: Encodable { let typed: [EVM.TypedData]; let personal: [Personal]; let validator: [Validator] }
    struct Response: Decodable {
        struct Signed: Decodable { let hash: String; let r: String; let s: String; let v: Int }
        let typed: [String]
        let personal: [Signed]
        let validator: [String]
    }

    /// Random typed data over a family of schemas: nested structs, arrays of structs,
    /// fixed and dynamic arrays, every atomic type.
    static func randomTypedData(_ rng: inout SeededGenerator) -> EVM.TypedData {
        func value(_ type: String, _ types: [String: [EVM.TypedData.Member]]) -> JSONValue {
            if type.hasSuffix("]") {
                let open = type.lastIndex(of: "[")!
                let element = String(type[..<open])
                let size = Int(type[type.index(after: open)..<type.index(before: type.endIndex)])
                    ?? Int.random(in: 0...3, using: &rng)
                return .array((0..<size).map { _ in value(element, types) })
            }
            if let members = types[type] {
                return .object(members.map { ($0.name, value($0.type, types)) })
            }
            switch type {
            case "string": return .string(["", "hi", "Grüße 🚀", String(repeating: "z", count: 40)].randomElement(using: &rng)!)
            case "bytes": return .string("0x" + rng.bytes(Int.random(in: 0...70, using: &rng)).hexString)
            case "bool": return .bool(Bool.random(using: &rng))
            case "address": return .string(rng.address().checksummed)
            case "bytes32": return .string("0x" + rng.bytes(32).hexString)
            case "bytes4": return .string("0x" + rng.bytes(4).hexString)
            case "uint8": return .integer(Int64.random(in: 0...255, using: &rng))
            case "int64": return .string(String(Int64.random(in: .min ... .max, using: &rng)))
            case "int256":
                let m = BigInt(rng.bigUInt(maxBits: 255))
                return .string(String(Bool.random(using: &rng) ? m : -m))
            default: return .string(String(rng.bigUInt(maxBits: 256)))  // uint256
            }
        }
        let atomic = ["string", "bytes", "bool", "address", "bytes32", "bytes4", "uint8", "int64", "int256", "uint256"]
        var types: [String: [EVM.TypedData.Member]] = [:]
        types["EIP712Domain"] = [
            .init(name: "name", type: "string"), .init(name: "version", type: "string"),
            .init(name: "chainId", type: "uint256"), .init(name: "verifyingContract", type: "address"),
        ]
        types["Leaf"] = (0..<Int.random(in: 1...4, using: &rng)).map { .init(name: "l\($0)", type: atomic.randomElement(using: &rng)!) }
        let leafShape = ["Leaf", "Leaf[]", "Leaf[2]"].randomElement(using: &rng)!
        types["Node"] = [.init(name: "leaf", type: leafShape), .init(name: "tag", type: atomic.randomElement(using: &rng)!)]
        var top: [EVM.TypedData.Member] = [.init(name: "node", type: "Node")]
        for i in 0..<Int.random(in: 1...5, using: &rng) {
            let base = (atomic + ["Leaf", "Node"]).randomElement(using: &rng)!
            let suffix = ["", "", "[]", "[3]", "[][]"].randomElement(using: &rng)!
            top.append(.init(name: "m\(i)", type: base + suffix))
        }
        types["Top"] = top
        let domain: JSONValue = .object([
            ("name", .string("Custos")), ("version", .string("1")),
            ("chainId", .integer(Int64.random(in: 1...100_000, using: &rng))), ("verifyingContract", .string(rng.address().checksummed)),
        ])
        return EVM.TypedData(types: types, primaryType: "Top", domain: domain, message: value("Top", types))
    }

    @Test func crossCheckWithEthAccount() async throws {
        var rng = SeededGenerator(seed: 0x712)
        var typed = [try Self.parse(Self.mailJSON)]
        for _ in 0..<300 { typed.append(Self.randomTypedData(&rng)) }
        // Safe transactions.
        for _ in 0..<50 {
            let tx = EVM.SafeTransaction(
                to: rng.address(), value: rng.bigUInt(maxBits: 256), data: rng.bytes(Int.random(in: 0...100, using: &rng)),
                operation: Bool.random(using: &rng) ? .call : .delegatecall, safeTxGas: rng.bigUInt(maxBits: 64),
                baseGas: rng.bigUInt(maxBits: 64), gasPrice: rng.bigUInt(maxBits: 64), gasToken: rng.address(),
                refundReceiver: rng.address(), nonce: rng.bigUInt(maxBits: 32))
            typed.append(tx.typedData(chainID: UInt64.random(in: 1...1_000_000, using: &rng), safe: rng.address()))
        }
        var personal: [(message: [UInt8], key: Secp256k1.ECDSA.PrivateKey, raw: [UInt8])] = []
        for _ in 0..<200 {
            let (key, raw) = rng.privateKey()
            personal.append((rng.bytes(Int.random(in: 0...200, using: &rng)), key, raw))
        }
        let validated = (0..<50).map { _ in (rng.address(), rng.bytes(Int.random(in: 0...100, using: &rng))) }
        let response = try await PythonPeer.call(
            "evm_eip712.py",
            Request(typed: typed, personal: personal.map { Personal(message: $0.message.hexString, key: $0.raw.hexString) },
                    validator: validated.map { Validator(validator: $0.0.rawValue.hexString, data: $0.1.hexString) }),
            as: Response.self)
        #expect(response.validator.count == validated.count)
        for ((validator, data), expected) in zip(validated, response.validator) {
            #expect(EVM.PersonalMessage.hash(intendedValidator: validator, data: data).hexString == expected)
        }
        #expect(response.typed.count == typed.count)
        for (data, expected) in zip(typed, response.typed) {
            #expect(try data.signingHash().hexString == expected, "\(data.types["Top"]?.map(\.type) ?? [data.primaryType])")
        }
        #expect(response.personal.count == personal.count)
        for (item, expected) in zip(personal, response.personal) {
            let digest = EVM.PersonalMessage.hash(item.message)
            #expect(digest.hexString == expected.hash)
            let signature = try item.key.signature(forDigest: digest)
            #expect(signature.r.hexString == expected.r)
            #expect(signature.s.hexString == expected.s)
            #expect(Int(signature.recoveryID) + 27 == expected.v)
        }
    }

    @Test func safeTransactionHashKnownValue() throws {
        // Digest computed independently with eth-account for this fixed SafeTx.
        let tx = EVM.SafeTransaction(
            to: address("0x28C6c06298d514Db089934071355E5743bf21d60"), value: 1, data: [], operation: .call, nonce: 0)
        let digest = try tx.hash(chainID: 1, safe: address("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"))
        #expect(try tx.typedData(chainID: 1, safe: address("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")).encodeType("SafeTx")
            == "SafeTx(address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,uint256 baseGas,uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce)")
        // SAFE_TX_TYPEHASH and DOMAIN_SEPARATOR_TYPEHASH as deployed in Safe 1.3+.
        let typed = tx.typedData(chainID: 1, safe: address("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"))
        #expect(try typed.typeHash("SafeTx").hexString == "bb8310d486368db6bd6f849402fdd73ad53d316b5a4b2644ad6efe0f941286d8")
        #expect(try typed.typeHash("EIP712Domain").hexString == "47e79534a245952e8b16893a336b85a3d9ea9fa8c573f3d803afb92a79469218")
        #expect(digest.hexString == "5f403a87e74659c90cbc37f6ff85e793ee8054e72016ec552d126c35a6def5b1")
    }
}
