import BigInt
import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

/// Scalar arithmetic against an independent big-integer implementation (attaswift/BigInt),
/// over random inputs and the edge cases 0, 1, order − 1 and values at or above the order.
@Suite struct ScalarArithmeticTests {
    static let secpOrder = BigUInt("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", radix: 16)!
    static let edOrder = BigUInt(2).power(252) + BigUInt("27742317777372353535851937790883648493", radix: 10)!

    static func bigEndian(_ value: BigUInt, count: Int = 32) -> [UInt8] {
        let raw = Array(value.serialize())
        return [UInt8](repeating: 0, count: count - raw.count) + raw
    }

    /// Random values below `order`, mixed with the edge cases.
    static func samples(order: BigUInt, count: Int, seed: UInt64) -> [BigUInt] {
        var rng = SeededGenerator(seed: seed)
        var out: [BigUInt] = [0, 1, 2, order - 1, order - 2, order / 2, order / 2 + 1]
        while out.count < count {
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            out.append(BigUInt(Data(bytes)) % order)
        }
        return out
    }

    @Test func secp256k1AgreesWithBigInt() throws {
        let n = Self.secpOrder
        let values = Self.samples(order: n, count: 400, seed: 1)
        for (i, x) in values.enumerated() {
            let y = values[(i * 7 + 3) % values.count]
            let a = try Secp256k1.Scalar(rawRepresentation: Self.bigEndian(x))
            let b = try Secp256k1.Scalar(rawRepresentation: Self.bigEndian(y))
            #expect(a.rawRepresentation == Self.bigEndian(x), "round trip of \(x)")
            #expect((a + b).rawRepresentation == Self.bigEndian((x + y) % n), "\(x) + \(y)")
            #expect((a - b).rawRepresentation == Self.bigEndian((x + n - y) % n), "\(x) - \(y)")
            #expect((a * b).rawRepresentation == Self.bigEndian((x * y) % n), "\(x) * \(y)")
            #expect((-a).rawRepresentation == Self.bigEndian((n - x) % n), "-\(x)")
            if x == 0 {
                #expect(throws: CryptoError(.zeroScalar, "")) { try a.inverse() }
            } else {
                let inv = try a.inverse()
                #expect(inv.rawRepresentation == Self.bigEndian(x.inverse(n)!), "1/\(x)")
                #expect(inv * a == .one)
            }
            #expect((a == b) == (x == y))
        }
    }

    @Test func secp256k1WideReduction() {
        var rng = SeededGenerator(seed: 2)
        for length in [32, 48, 64] {
            for _ in 0..<200 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let expected = BigUInt(Data(bytes)) % Self.secpOrder
                #expect(
                    Secp256k1.Scalar(reducingBigEndian: bytes).rawRepresentation == Self.bigEndian(expected),
                    "\(length)-byte input \(bytes.hexString)")
            }
            let allOnes = [UInt8](repeating: 0xff, count: length)
            #expect(
                Secp256k1.Scalar(reducingBigEndian: allOnes).rawRepresentation
                    == Self.bigEndian(BigUInt(Data(allOnes)) % Self.secpOrder))
        }
    }

    @Test func secp256k1RejectsValuesAtOrAboveOrder() {
        for value in [Self.secpOrder, Self.secpOrder + 1, BigUInt(2).power(256) - 1] {
            #expect(throws: CryptoError(.outOfRange, "")) {
                try Secp256k1.Scalar(rawRepresentation: Self.bigEndian(value))
            }
        }
        #expect(throws: CryptoError(.invalidLength, "")) { try Secp256k1.Scalar(rawRepresentation: [1, 2, 3]) }
        #expect(throws: CryptoError(.invalidLength, "")) {
            try Secp256k1.Scalar(rawRepresentation: [UInt8](repeating: 0, count: 33))
        }
    }

    @Test func ed25519AgreesWithBigInt() throws {
        let l = Self.edOrder
        let values = Self.samples(order: l, count: 300, seed: 3)
        func le(_ v: BigUInt) -> [UInt8] { Array(Self.bigEndian(v).reversed()) }
        for (i, x) in values.enumerated() {
            let y = values[(i * 5 + 1) % values.count]
            let a = try Ed25519.Scalar(rawRepresentation: le(x))
            let b = try Ed25519.Scalar(rawRepresentation: le(y))
            #expect((a + b).rawRepresentation == le((x + y) % l), "\(x) + \(y)")
            #expect((a - b).rawRepresentation == le((x + l - y) % l), "\(x) - \(y)")
            #expect((a * b).rawRepresentation == le((x * y) % l), "\(x) * \(y)")
            #expect((-a).rawRepresentation == le((l - x) % l), "-\(x)")
            if x != 0 { #expect(try a.inverse().rawRepresentation == le(x.inverse(l)!), "1/\(x)") }
        }
        for value in [l, l + 1, BigUInt(2).power(256) - 1] {
            #expect(throws: CryptoError(.outOfRange, "")) { try Ed25519.Scalar(rawRepresentation: le(value)) }
        }
        var rng = SeededGenerator(seed: 4)
        for _ in 0..<100 {
            let bytes = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let expected = BigUInt(Data(bytes.reversed())) % l
            #expect(Ed25519.Scalar(reducingLittleEndian: bytes).rawRepresentation == le(expected))
        }
    }

    @Test func secretsDoNotPrint() throws {
        let s = try Secp256k1.Scalar(rawRepresentation: Self.bigEndian(12345))
        #expect(!"\(s)".contains("3039"))
        #expect("\(Ed25519.Scalar(77))" == "Ed25519.Scalar(redacted)")
        let secret = SecretBytes([0xde, 0xad, 0xbe, 0xef])
        #expect(!"\(secret)".contains("dead") && !String(reflecting: secret).contains("dead"))
        #expect(secret.constantTimeEquals(SecretBytes([0xde, 0xad, 0xbe, 0xef])))
        #expect(!secret.constantTimeEquals(SecretBytes([0xde, 0xad, 0xbe, 0xee])))
    }
}
