import BigInt
import CustosChains
import CustosCore
import CustosCrypto
import CustosTestSupport
import Testing

@Suite struct TransactionTests {
    /// EIP-155's worked example.
    @Test func eip155Example() throws {
        let key = try Secp256k1.ECDSA.PrivateKey(rawRepresentation: [UInt8](repeating: 0x46, count: 32))
        let tx = try EVM.Transaction.legacy(
            chainID: 1, nonce: 9, gasPrice: 20_000_000_000, gasLimit: 21000,
            to: address("0x3535353535353535353535353535353535353535"), value: BigUInt(10).power(18))
        #expect(tx.signingPayload.hexString
            == "ec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080")
        #expect(tx.signingHash.hexString == "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
        let signed = try tx.signed(with: key)
        #expect(signed.v == 37)
        #expect(signed.encoded.hexString == "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83")
        let decoded = try EVM.SignedTransaction.decode(signed.encoded)
        #expect(decoded == signed)
        #expect(try decoded.recoverSender() == EVM.Address(publicKey: key.publicKey))
    }

    @Test func attachingAnExternalSignature() throws {
        let key = Secp256k1.ECDSA.PrivateKey()
        let tx = try EVM.Transaction.eip1559(
            chainID: 10, nonce: 0, maxPriorityFeePerGas: 1, maxFeePerGas: 2, gasLimit: 21000,
            to: address("0x3535353535353535353535353535353535353535"), value: 5)
        let signature = try key.signature(forDigest: tx.signingHash)
        let signed = try tx.attaching(signature)
        #expect(try signed.recoverSender() == EVM.Address(publicKey: key.publicKey))
        #expect(signed.v == BigUInt(signature.recoveryID))
    }

    @Test func fieldValidation() throws {
        let to = address("0x3535353535353535353535353535353535353535")
        #expect(throws: EVMError(.invalidTransaction, "")) {
            try EVM.Transaction.eip1559(chainID: 1, nonce: 0, maxPriorityFeePerGas: 3, maxFeePerGas: 2,
                                        gasLimit: 21000, to: to, value: 0)
        }
        #expect(throws: EVMError(.invalidTransaction, "")) {
            try EVM.Transaction(kind: .dynamicFee, chainID: 1, nonce: 0, fees: .gasPrice(1), gasLimit: 1, to: to, value: 0, data: [])
        }
        #expect(throws: EVMError(.invalidTransaction, "")) {
            try EVM.Transaction(kind: .accessList, chainID: nil, nonce: 0, fees: .gasPrice(1), gasLimit: 1, to: to, value: 0, data: [])
        }
        #expect(throws: EVMError(.outOfRange, "")) {
            try EVM.Transaction.legacy(chainID: 1, nonce: 0, gasPrice: 1, gasLimit: 1, to: to, value: BigUInt(1) << 256)
        }
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: String
        let code: EVMError.Code
        var testDescription: String { name }
    }

    static let eip155Raw = "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"

    static let malformed: [Malformed] = [
        Malformed(name: "empty", bytes: "", code: .truncated),
        Malformed(name: "truncated legacy", bytes: String(eip155Raw.dropLast(10)), code: .truncated),
        Malformed(name: "trailing byte", bytes: eip155Raw + "00", code: .trailingBytes),
        Malformed(name: "type byte alone", bytes: "02", code: .truncated),
        Malformed(name: "blob transaction", bytes: "03c0", code: .invalidTransaction),
        Malformed(name: "unknown type", bytes: "7fc0", code: .invalidTransaction),
        Malformed(name: "legacy with 8 fields", bytes: "c8" + "8080808080808080", code: .invalidRLP),
        Malformed(name: "typed with no fields", bytes: "02c0", code: .invalidRLP),
        // Same signature with s replaced by n - s: a high-S malleated twin (EIP-2).
        Malformed(name: "high S", bytes: "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a098341627668089e51348fccfb4c7ff31c55912f2d2e47ef09652acf665fad3be", code: .invalidSignature),
        // v = 26: neither 27/28 nor EIP-155.
        Malformed(name: "bad v", bytes: "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a7640000801aa028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83", code: .invalidSignature),
        // nonce 0x09 written as 0x8109 (single byte wrapped).
        Malformed(name: "non-canonical nonce", bytes: "f86d81098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83", code: .nonCanonical),
        // to of 19 bytes.
        Malformed(name: "short to", bytes: "f86b098504a817c8008252089335353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83", code: .invalidTransaction),
    ]

    @Test(arguments: malformed)
    func rejectsMalformed(_ vector: Malformed) {
        #expect(throws: EVMError(vector.code, "")) { try EVM.SignedTransaction.decode(hex(vector.bytes)) }
    }

    @Test func everyTruncationIsAnError() throws {
        let raw = hex(Self.eip155Raw)
        for length in 0..<raw.count {
            #expect(throws: EVMError.self) { try EVM.SignedTransaction.decode(raw.prefix(length)) }
        }
    }

    // MARK: Cross-check with eth-account

    struct PeerTransaction: Encodable {
        let kind: Int
        let chainId: UInt64?
        let nonce: String
        let gasPrice: String
        let maxPriorityFeePerGas: String
        let maxFeePerGas: String
        let gas: String
        let to: String?
        let value: String
        let data: String
        let accessList: [PeerAccess]
        let key: String
    }

    struct PeerAccess: Encodable { let address: String; let storageKeys: [String] }
    struct Request: Encodable { let transactions: [PeerTransaction]; let decode: [String] }
    struct Response: Decodable {
        struct Signed: Decodable { let raw: String; let hash: String; let signingHash: String; let sender: String }
        struct Decoded: Decodable { let sender: String }
        let transactions: [Signed]
        let decode: [Decoded?]
    }

    static func randomTransaction(_ kind: EVM.Transaction.Kind, _ rng: inout SeededGenerator) throws -> EVM.Transaction {
        let chainID = [1, 5, 10, 137, 42161, 11_155_111, UInt64.random(in: 1...UInt64(UInt32.max), using: &rng)]
            .randomElement(using: &rng)!
        let nonce = UInt64(rng.bigUInt(maxBits: 64))
        let gasLimit = UInt64(rng.bigUInt(maxBits: 64))
        let to: EVM.Address? = Int.random(in: 0..<10, using: &rng) == 0 ? nil : rng.address()
        let value = rng.bigUInt(maxBits: 256)
        let data = rng.bytes([0, 0, 4, 36, 68, Int.random(in: 0...300, using: &rng)].randomElement(using: &rng)!)
        var accessList: [EVM.AccessListEntry] = []
        if kind != .legacy {
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                accessList.append(try EVM.AccessListEntry(
                    address: rng.address(), storageKeys: (0..<Int.random(in: 0...3, using: &rng)).map { _ in rng.bytes(32) }))
            }
        }
        switch kind {
        case .legacy:
            // One in ten without EIP-155 replay protection (v = 27/28), as still seen on the wire.
            let protected = Int.random(in: 0..<10, using: &rng) != 0
            return try EVM.Transaction(
                kind: .legacy, chainID: protected ? chainID : nil, nonce: nonce,
                fees: .gasPrice(rng.bigUInt(maxBits: 256)), gasLimit: gasLimit, to: to, value: value, data: data)
        case .accessList:
            return try .eip2930(chainID: chainID, nonce: nonce, gasPrice: rng.bigUInt(maxBits: 256), gasLimit: gasLimit,
                                to: to, value: value, data: data, accessList: accessList)
        case .dynamicFee:
            let cap = rng.bigUInt(maxBits: 256)
            let tip = cap == 0 ? 0 : BigUInt(bigEndian: rng.bytes(32)) % (cap + 1)
            return try .eip1559(chainID: chainID, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: cap,
                                gasLimit: gasLimit, to: to, value: value, data: data, accessList: accessList)
        }
    }

    static func peer(_ tx: EVM.Transaction, key: [UInt8]) -> PeerTransaction {
        var gasPrice = BigUInt(0), tip = BigUInt(0), cap = BigUInt(0)
        switch tx.fees {
        case .gasPrice(let p): gasPrice = p
        case .dynamic(let t, let c): (tip, cap) = (t, c)
        }
        return PeerTransaction(
            kind: Int(tx.kind.rawValue), chainId: tx.chainID, nonce: String(tx.nonce), gasPrice: String(gasPrice),
            maxPriorityFeePerGas: String(tip), maxFeePerGas: String(cap), gas: String(tx.gasLimit),
            to: tx.to?.rawValue.hexString, value: String(tx.value), data: tx.data.hexString,
            accessList: tx.accessList.map { PeerAccess(address: $0.address.rawValue.hexString, storageKeys: $0.storageKeys.map(\.hexString)) },
            key: key.hexString)
    }

    @Test(arguments: [EVM.Transaction.Kind.legacy, .accessList, .dynamicFee])
    func crossCheckWithEthAccount(_ kind: EVM.Transaction.Kind) async throws {
        var rng = SeededGenerator(seed: 0x7478 + UInt64(kind.rawValue))
        var cases: [(EVM.Transaction, Secp256k1.ECDSA.PrivateKey, [UInt8])] = []
        for _ in 0..<300 {
            let (key, raw) = rng.privateKey()
            cases.append((try Self.randomTransaction(kind, &rng), key, raw))
        }
        // Our encodings, some corrupted, for eth-account to decode and recover.
        var ours: [[UInt8]] = []
        for (tx, key, _) in cases { ours.append(try tx.signed(with: key).encoded) }
        let response = try await PythonPeer.call(
            "evm_tx.py",
            Request(transactions: cases.map { Self.peer($0.0, key: $0.2) }, decode: ours.map(\.hexString)),
            as: Response.self)
        #expect(response.transactions.count == cases.count)
        if kind == .legacy {
            let unprotected = cases.filter { $0.0.chainID == nil }.count
            #expect(unprotected > 10 && unprotected < 100)
        }
        for ((tx, key, _), (expected, theirDecode)) in zip(cases, zip(response.transactions, response.decode)) {
            let signed = try tx.signed(with: key)
            if tx.chainID == nil { #expect(signed.v == 27 || signed.v == 28) }
            let sender = EVM.Address(publicKey: key.publicKey)
            #expect(tx.signingHash.hexString == expected.signingHash, "\(kind) signing hash, nonce \(tx.nonce)")
            #expect(signed.encoded.hexString == expected.raw, "\(kind) raw, nonce \(tx.nonce)")
            #expect(signed.hash.hexString == expected.hash)
            #expect(sender.rawValue.hexString == expected.sender)
            let decoded = try EVM.SignedTransaction.decode(hex(expected.raw))
            #expect(decoded.transaction == tx)
            #expect(try decoded.recoverSender() == sender)
            #expect(theirDecode?.sender == expected.sender)
        }
    }
}

extension TransactionTests {
    /// Mutated raw transactions decoded by both sides: whatever we accept, eth-account
    /// accepts with the same sender; what only eth-account accepts must be something we
    /// refuse on purpose (integers wider than 256 bits, which eth-account's RLP sedes does not
    /// bound, and high-S signatures, which EIP-2 forbids).
    @Test func mutatedTransactionsAgreeWithEthAccount() async throws {
        var rng = SeededGenerator(seed: 0x7479)
        var inputs: [[UInt8]] = []
        for i in 0..<600 {
            let kind: EVM.Transaction.Kind = [.legacy, .accessList, .dynamicFee][i % 3]
            let (key, _) = rng.privateKey()
            let raw = try Self.randomTransaction(kind, &rng).signed(with: key).encoded
            inputs.append(i % 4 == 0 ? raw : HostileInputTests.mutate(raw, &rng))
        }
        let response = try await PythonPeer.call(
            "evm_tx.py", Request(transactions: [], decode: inputs.map(\.hexString)), as: Response.self)
        #expect(response.decode.count == inputs.count)
        var bothAccept = 0
        for (raw, theirs) in zip(inputs, response.decode) {
            do {
                let ours = try EVM.SignedTransaction.decode(raw)
                let sender = try ours.recoverSender()
                bothAccept += 1
                #expect(theirs?.sender == sender.rawValue.hexString, "we accept \(raw.hexString)")
            } catch {
                if theirs != nil {
                    let deliberate = error.code == .outOfRange
                        || (error.code == .invalidSignature && error.reason.contains("not low"))
                    #expect(deliberate, "eth-account accepts \(raw.hexString), we refuse: \(error)")
                }
            }
        }
        #expect(bothAccept >= 150)
    }
}
