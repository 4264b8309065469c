import BigInt
import CustosChains
import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

/// Property tests: random and mutated bytes fed to every decoder must produce a value or an
/// `EVMError`, never a crash; valid inputs survive a decode/encode round trip. Each also shows
/// it reached past the first check: at least a given number of its inputs decode (the seeds are
/// fixed, so the counts are too; the floors sit below them, far above zero).
@Suite struct HostileInputTests {
    static func mutate(_ bytes: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !out.isEmpty: out[Int.random(in: 0..<out.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            case 1 where !out.isEmpty: out.removeLast(Int.random(in: 1...min(out.count, 40), using: &rng))
            case 2: out.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...out.count, using: &rng))
            case 3 where !out.isEmpty: out.remove(at: Int.random(in: 0..<out.count, using: &rng))
            case 4: out += rng.bytes(Int.random(in: 1...8, using: &rng))
            default: if !out.isEmpty { out[0] = UInt8.random(in: 0...255, using: &rng) }
            }
        }
        return out
    }

    @Test func transactionsDecodeOrFailCleanly() throws {
        var rng = SeededGenerator(seed: 0xF022)
        var valid: [[UInt8]] = []
        for kind in [EVM.Transaction.Kind.legacy, .accessList, .dynamicFee] {
            for _ in 0..<30 {
                let (key, _) = rng.privateKey()
                valid.append(try TransactionTests.randomTransaction(kind, &rng).signed(with: key).encoded)
            }
        }
        for raw in valid {
            let decoded = try EVM.SignedTransaction.decode(raw)
            #expect(decoded.encoded == raw)
        }
        var refused = 0, total = 0
        for i in 0..<6000 {
            let input = i % 3 == 0 ? rng.bytes(Int.random(in: 0...300, using: &rng))
                                   : Self.mutate(valid.randomElement(using: &rng)!, &rng)
            total += 1
            do {
                let decoded = try EVM.SignedTransaction.decode(input)
                // Whatever decodes must be canonical: it re-encodes to the same bytes.
                #expect(decoded.encoded == input, "accepted non-canonical \(input.hexString)")
            } catch {
                refused += 1
            }
        }
        #expect(refused > total / 2)
        #expect(total - refused >= Self.minimumTransactions, "only \(total - refused) mutated transactions decoded")
    }

    // Floors about a fifth below the exact counts of the fixed seeds (noted beside each).
    /// 251 of 6,000 random and mutated transactions.
    static let minimumTransactions = 200
    /// 261 of 5,000 random and mutated RLP items.
    static let minimumRLP = 200
    /// 43 of 1,500 random and mutated ABI encodings, canonically.
    static let minimumABI = 30
    /// 26 of 500 mutated multiSend batches.
    static let minimumMultiSend = 20
    /// 683 of 2,000 texts, half random (none parse), half valid addresses with at most one change.
    static let minimumAddresses = 550
    /// 19 of 1,000 mutated typed data documents.
    static let minimumTypedData = 15

    @Test func rlpDecodesOrFailsCleanly() {
        var rng = SeededGenerator(seed: 0xF0221)
        var decoded = 0
        for i in 0..<5000 {
            let input: [UInt8]
            if i % 2 == 0 {
                input = rng.bytes(Int.random(in: 0...200, using: &rng))
            } else {
                input = Self.mutate(EVM.RLP.encode(RLPTests.randomItem(&rng)), &rng)
            }
            if let item = try? EVM.RLP.decode(input) {
                decoded += 1
                #expect(EVM.RLP.encode(item) == input)
            }
        }
        #expect(decoded >= Self.minimumRLP, "only \(decoded) inputs decoded as RLP")
    }

    @Test func abiDecodesOrFailsCleanly() throws {
        var rng = SeededGenerator(seed: 0xF0222)
        var decodedCount = 0
        for _ in 0..<1500 {
            let types = (0..<Int.random(in: 1...3, using: &rng)).map { _ in ABITests.randomType(&rng) }
            let values = types.map { ABITests.randomValue($0, &rng) }
            let encoded = try EVM.ABI.encode(values, as: types)
            let input = Bool.random(using: &rng) ? Self.mutate(encoded, &rng) : rng.bytes(Int.random(in: 0...256, using: &rng))
            if let decoded = try? EVM.ABI.decode(types, from: input, canonical: true) {
                decodedCount += 1
                #expect(try EVM.ABI.encode(decoded, as: types) == input)
            }
            _ = try? EVM.ABI.decode(types, from: input)
        }
        #expect(decodedCount >= Self.minimumABI, "only \(decodedCount) inputs decoded canonically as ABI")
    }

    @Test func intentDecoderNeverTrapsAndNeverCallsGarbageATransfer() throws {
        var rng = SeededGenerator(seed: 0xF0223)
        let decoder = IntentTests.decoder
        let seeds: [[UInt8]] = [
            IntentTests.call("transfer(address,uint256)", [.address(IntentTests.binance), .uint(5)]),
            IntentTests.execTransaction(to: IntentTests.usdc, data: IntentTests.call("approve(address,uint256)", [.address(IntentTests.router), .uint(1)])),
            IntentTests.call("multiSend(bytes)", [.bytes(EVM.MultiSend.pack([
                .init(operation: .call, to: IntentTests.usdc, value: 1, data: hex("a9059cbb")),
                .init(operation: .delegatecall, to: IntentTests.safe, value: 0, data: []),
            ]))]),
        ]
        for _ in 0..<3000 {
            let data = Self.mutate(seeds.randomElement(using: &rng)!, &rng)
            let intent = decoder.decode(to: IntentTests.usdc, value: 0, data: data)
            let text = intent.description(using: IntentTests.registry)
            #expect(!text.isEmpty)
            if case .erc20Transfer = intent.action {
                // Only the canonical encoding of transfer(address,uint256) may read as a transfer.
                #expect(data.count == 68 && data.prefix(4) == [0xa9, 0x05, 0x9c, 0xbb])
            }
        }
        var unpacked = 0
        for _ in 0..<500 {
            let packed = Self.mutate(EVM.MultiSend.pack([
                .init(operation: .call, to: IntentTests.usdc, value: 1, data: hex("a9059cbb")),
                .init(operation: .delegatecall, to: IntentTests.safe, value: 0, data: []),
            ]), &rng)
            if let calls = try? EVM.MultiSend.unpack(packed) {
                unpacked += 1
                #expect(EVM.MultiSend.pack(calls) == packed, "multiSend \(packed.hexString) repacked differently")
            }
            _ = try? EVM.MultiSend.unpack(rng.bytes(Int.random(in: 0...300, using: &rng)))
        }
        #expect(unpacked >= Self.minimumMultiSend, "only \(unpacked) mutated multiSend batches unpacked")
    }

    @Test func addressesAndTypedDataFailCleanly() throws {
        var rng = SeededGenerator(seed: 0xF0224)
        let alphabet = Array("0123456789abcdefABCDEFxX g")
        var addresses = 0
        for i in 0..<2000 {
            var text = String((0..<Int.random(in: 0...44, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            if i % 2 == 1 {
                // A valid address, lower-case or checksummed, with at most one character changed.
                let address = try EVM.Address(rng.bytes(20))
                var characters = Array(Bool.random(using: &rng) ? address.description : "0x" + address.rawValue.hexString)
                if Bool.random(using: &rng) { characters[Int.random(in: 0..<characters.count, using: &rng)] = alphabet.randomElement(using: &rng)! }
                text = String(characters)
            }
            if let address = try? EVM.Address(hex: text) {
                addresses += 1
                #expect((try? EVM.Address(hex: address.description)) == address, "\(text) does not round-trip")
            }
        }
        #expect(addresses >= Self.minimumAddresses, "only \(addresses) random texts parsed as addresses")
        let mail = Array(TypedDataTests.mailJSON.utf8)
        var typed = 0
        for _ in 0..<1000 {
            let input = Self.mutate(mail, &rng)
            if let data = try? JSONDecoder().decode(EVM.TypedData.self, from: Data(input)), (try? data.signingHash()) != nil {
                typed += 1
            }
        }
        #expect(typed >= Self.minimumTypedData, "only \(typed) mutated typed data documents hashed")
    }
}
