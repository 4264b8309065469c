import CSodium
import CustosCore
import CustosCrypto
import Testing

/// Point decoders refuse every malformed encoding, and the arithmetic is consistent.
@Suite struct PointTests {
    @Test(arguments: [
        ("empty", ""),
        ("truncated", "02" + String(repeating: "11", count: 31)),
        ("uncompressed prefix", "04" + String(repeating: "11", count: 32)),
        ("zero prefix", "00" + String(repeating: "00", count: 32)),
        ("x not below p", "02" + String(repeating: "ff", count: 32)),
        ("x with no point on the curve", "02" + String(repeating: "00", count: 31) + "05"),
        ("trailing byte", "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f8179800"),
    ])
    func secp256k1RejectsMalformed(_ name: String, _ hex: String) throws {
        let bytes = try [UInt8](hex: hex)
        #expect(throws: CryptoError.self, "\(name)") { try Secp256k1.Point(compressedRepresentation: bytes) }
    }

    @Test func secp256k1Arithmetic() throws {
        let g = Secp256k1.Point.generator
        #expect(try g.compressedRepresentation().hexString
            == "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
        let a = Secp256k1.Scalar.random()
        let b = Secp256k1.Scalar.random()
        #expect(Secp256k1.Point.generatorMultiple(a) + Secp256k1.Point.generatorMultiple(b)
            == Secp256k1.Point.generatorMultiple(a + b))
        #expect(a * (b * g) == Secp256k1.Point.generatorMultiple(a * b))
        let p = Secp256k1.Point.generatorMultiple(a)
        #expect((p - p).isIdentity)
        #expect(p + .identity == p)
        #expect(Secp256k1.Scalar.zero * p == .identity)
        #expect(a * Secp256k1.Point.identity == .identity)
        #expect(Secp256k1.Point.sum([p, -p, g]) == g)
        #expect(try Secp256k1.Point(compressedRepresentation: p.compressedRepresentation()) == p)
        #expect(throws: CryptoError(.identity, "")) { try Secp256k1.Point.identity.compressedRepresentation() }
        #expect((-p).hasEvenY != p.hasEvenY)
    }

    /// The eight points of small order, and non-canonical and off-curve encodings.
    @Test(arguments: [
        ("identity", "0100000000000000000000000000000000000000000000000000000000000000"),
        ("order 2", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        ("order 4", "0000000000000000000000000000000000000000000000000000000000000000"),
        ("order 4, negative x", "0000000000000000000000000000000000000000000000000000000000000080"),
        ("order 8 (a)", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        ("order 8 (b)", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
        ("order 8 (c)", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
        ("order 8 (d)", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
        ("y = p, non-canonical", "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        ("y = p + 1, non-canonical identity", "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        ("y = 2, off the curve", "0200000000000000000000000000000000000000000000000000000000000000"),
        ("31 bytes", "58666666666666666666666666666666666666666666666666666666666666"),
    ])
    func ed25519RejectsMalformed(_ name: String, _ hex: String) throws {
        let bytes = try [UInt8](hex: hex)
        #expect(throws: CryptoError.self, "\(name)") { try Ed25519.Point(rawRepresentation: bytes) }
    }

    @Test func ed25519RejectsMixedOrder() throws {
        // B + T₈ lies on the curve but outside the prime-order subgroup.
        let base = try [UInt8](hex: "5866666666666666666666666666666666666666666666666666666666666666")
        let torsion = try [UInt8](hex: "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
        var mixed = [UInt8](repeating: 0, count: 32)
        #expect(crypto_core_ed25519_add(&mixed, base, torsion) == 0)
        #expect(throws: CryptoError.self) { try Ed25519.Point(rawRepresentation: mixed) }
    }

    @Test func ed25519Arithmetic() throws {
        let g = Ed25519.Point.generator
        #expect(try g.rawRepresentationExcludingIdentity().hexString
            == "5866666666666666666666666666666666666666666666666666666666666666")
        let a = Ed25519.Scalar.random()
        let b = Ed25519.Scalar.random()
        #expect(Ed25519.Point.generatorMultiple(a) + Ed25519.Point.generatorMultiple(b)
            == Ed25519.Point.generatorMultiple(a + b))
        #expect(a * (b * g) == Ed25519.Point.generatorMultiple(a * b))
        let p = Ed25519.Point.generatorMultiple(a)
        #expect((p - p).isIdentity)
        #expect(-(-p) == p)
        #expect(Ed25519.Scalar.zero * p == .identity)
        #expect(try Ed25519.Point(rawRepresentation: p.rawRepresentationExcludingIdentity()) == p)
    }
}
